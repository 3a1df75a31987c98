"""The offline Azure reader: ``--azure-export DIR``, an az CLI export folder."""
