"""Azure and Entra ID collection (issue #15): the pure mapping of Graph and ARM objects to
records (``records.py``, ``rbac.py``) and the offline reader of an az CLI export
(``offline/``, ``--azure-export DIR``). The record mapping is ``docs/dev/azure-records.md``."""
