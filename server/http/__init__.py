"""The HTTP edge: routes, authentication, problem documents, middleware, resources."""
