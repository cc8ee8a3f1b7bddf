"""The wire contract: one msgspec Struct per request and response (see `wire`), one module per noun.

The server decodes bodies into these types and answers with them, the OpenAPI document's schemas
are generated from them, and the API client sends and reads them. They import nothing but
`shared.domain` and msgspec: no I/O, no HTTP library.
"""
