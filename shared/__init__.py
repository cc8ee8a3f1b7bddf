"""Code the server, the admin tool and the console share: domain types, wire schemas, API client."""
