"""The built-in demo estate: moto's AWS server in-process on a loopback port, a small realistic
estate of AI agents' identities built through boto3, and the real AWS connector run against it.
No network and no credentials are needed.

``connector.DemoConnector`` needs moto (``pip install 'nhiscan[demo]'``); ``spec`` does not.
"""
