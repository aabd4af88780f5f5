from celery import shared_task

from . import services


@shared_task
def purge_expired_invitations() -> int:
    return services.invitations_purge_expired()


@shared_task(bind=True, name="accounts.webhook_deliver", acks_late=True, soft_time_limit=90, time_limit=120)
def webhook_deliver(self, delivery_id: int) -> str:
    """One attempt of a webhook delivery; retried (same message id) after the backoff the service says."""
    from .integrations.webhooks import webhook_attempt

    wait = webhook_attempt(delivery_id=delivery_id, task_id=self.request.id)
    while wait is not None and self.request.is_eager:  # no worker to come back later (tests, seed_demo): at once
        wait = webhook_attempt(delivery_id=delivery_id, task_id=self.request.id)
    if wait is not None:
        raise self.retry(countdown=wait, max_retries=None)
    return "done"


@shared_task(name="accounts.webhook_deliveries_sweep")
def webhook_deliveries_sweep() -> int:
    """Beat: deliveries whose message was never published (the broker was down) or was lost."""
    from .integrations.webhooks import webhook_deliveries_sweep as sweep

    return sweep()
