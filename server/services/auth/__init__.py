"""Who may call the API: logins and bearer tokens, console and API users, password hashing.

Entry points: `logins.AuthService` (log in and out, authenticate a token, throttle failures) and
`users.UserService` (create, list, disable users; change a password).
May import: `server.db`, `services.tenancy`, `services.audit`, `shared`.
"""
