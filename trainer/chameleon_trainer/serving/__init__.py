"""Serving customized models behind the providers' own wire formats, so the real client libraries
(google-cloud-vision and google-cloud-language over REST, boto3) talk to them unchanged.

Routes live under ``/serve/{model_id}/``: the model id travels in the endpoint URL that
`chameleon run` gives the clients, so which model answers is chosen by the redirect config, never
by the app. ``formats`` holds the pure request/response translations (no HTTP, no torch), ``routes``
the FastAPI router, ``batching`` the micro-batcher that merges concurrent requests into one forward
pass.
"""
