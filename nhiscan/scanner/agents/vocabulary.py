"""The verbs an agent's workflow step may use. Shared by structured steps (``read: s3://x``),
plain-English steps (``english/`` maps words to these) and the verb-by-scheme table."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    READ = "read"  # read data: objects, items, messages' content, parameters, log events
    LIST = "list"  # list what a container holds (object keys, secrets, streams)
    WRITE = "write"  # create or update data
    DELETE = "delete"  # delete data
    PUBLISH = "publish"  # send a message or event: SNS topic, SQS queue, event bus, stream
    CONSUME = "consume"  # receive (and acknowledge) messages: SQS queue, Kinesis stream
    DECRYPT = "decrypt"  # decrypt with a KMS key
    ENCRYPT = "encrypt"  # encrypt with a KMS key (and generate data keys)
    INVOKE = "invoke"  # call a function, model, state machine or API
    GET_SECRET = "get-secret"  # read a secret's value
    ASSUME = "assume"  # assume a role
