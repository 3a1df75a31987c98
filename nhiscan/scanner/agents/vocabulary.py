"""The verbs an agent's workflow step may use. Shared by structured steps (``read: scheme://x``),
plain-English steps (``english/`` maps words to these) and each provider's verb-by-scheme
table (its ``AgentVocabulary``, ``language.py``)."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    READ = "read"  # read data: objects, items, messages' content, parameters, log events
    LIST = "list"  # list what a container holds (object keys, secrets, streams)
    WRITE = "write"  # create or update data
    DELETE = "delete"  # delete data
    PUBLISH = "publish"  # send a message or event: topic, queue, event bus, stream
    CONSUME = "consume"  # receive (and acknowledge) messages: queue, stream
    DECRYPT = "decrypt"  # decrypt with a key
    ENCRYPT = "encrypt"  # encrypt with a key (and generate data keys)
    INVOKE = "invoke"  # call a function, model, state machine or API
    GET_SECRET = "get-secret"  # read a secret's value
    ASSUME = "assume"  # assume a role (act as another identity)
