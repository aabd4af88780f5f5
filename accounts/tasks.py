from celery import shared_task

from . import services


@shared_task
def purge_expired_invitations() -> int:
    return services.invitations_purge_expired()
