"""Pure analysis: records, snapshot, evaluation, rules' inputs. No network, no cloud SDKs."""
