"""Comments and files on tasks: as visible as the task (tasks.queries.tasks_visible_to)."""

import pytest
from django.urls import reverse

from clarion.collab import services
from clarion.collab.mentions import mention_token
from clarion.notifications.models import Notification
from clarion.tasks.services import create_task

pytestmark = pytest.mark.django_db


def test_a_comment_on_a_task_tells_its_assignee_and_the_mentioned(sales_user, pat,
                                                                   admin_user):
    task = create_task(actor=admin_user, title="Send the quote", assignee=sales_user)

    services.add_comment(actor=admin_user, target=task,
                         body=f"{mention_token(pat)} can you help Sam?")

    assert Notification.objects.filter(recipient=sales_user, kind="comment.reply").exists()
    assert Notification.objects.filter(recipient=pat, kind="comment.mentioned").exists()


def test_someone_who_cannot_see_the_task_gets_404(client, sales_user, pat):
    task = create_task(actor=sales_user, title="Private follow-up")
    client.force_login(pat)

    response = client.post(reverse("collab:comments", args=["task", task.pk]),
                           {"body": "let me in"})

    assert response.status_code == 404


def test_the_assignee_comments_on_the_task(client, sales_user):
    task = create_task(actor=sales_user, title="Call back")
    client.force_login(sales_user)

    response = client.post(reverse("collab:comments", args=["task", task.pk]),
                           {"body": "Called, no answer"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Called, no answer" in response.content.decode()
