"""Channels that tell people what happened: the in-app inbox and e-mail (SMS later).

``outbox.queue_notice`` is called by the use-cases inside their transaction;
``dispatch.deliver_pending`` sends the e-mails after the commit (``flask notices send``,
and every minute from the scheduler); ``email`` speaks SMTP.
"""
