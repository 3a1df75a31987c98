"""What GCP's and Azure's audit-log readers share: finding and decoding log files
(``files``), normalising their times (``times``) and summarising their events into the neutral
activity records (``summary``). The CloudTrail reader (``connectors/aws/cloudtrail*``) has its
own, tuned to CloudTrail's sessions; these are the simpler shape the other clouds need."""
