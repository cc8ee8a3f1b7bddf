"""The wire contract: dataclasses with to_json/from_json, shared by the server and the API client."""
