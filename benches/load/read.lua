-- An authorised read: GET of the path wrk is given, with the API key in KEY.
wrk.headers["x-api-key"] = os.getenv("KEY")
