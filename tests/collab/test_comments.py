import pytest
from django.urls import reverse

from clarion.collab import services
from clarion.collab.mentions import mention_token
from clarion.collab.models import Comment, CommentRevision
from clarion.notifications.models import Notification
from tests.crm.api_support import make_deal

pytestmark = pytest.mark.django_db


def test_a_comment_strips_markup_and_scripts(sales_user, contact):
    comment = services.add_comment(actor=sales_user, target=contact, body=(
        'Nice <b>work</b><script>alert(1)</script><img src=x onerror="alert(1)"> a < b'))

    assert comment.body == "Nice work a < b"


def test_a_mentioned_colleague_is_notified_with_a_link_to_the_comment(sales_user, pat,
                                                                       contact):
    comment = services.add_comment(actor=sales_user, target=contact,
                                   body=f"{mention_token(pat)} can you call her?")

    notification = Notification.objects.get(recipient=pat, kind="comment.mentioned")
    assert "Grace Hopper" in notification.title
    assert notification.url == f"{contact.get_absolute_url()}#comment-{comment.pk}"


def test_a_mention_of_someone_who_cannot_see_the_record_reveals_nothing(
        client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Secret merger")  # Pat sees own deals only
    services.add_comment(actor=sales_user, target=deal,
                         body=f"{mention_token(pat)} the merger terms are attached")

    notification = Notification.objects.get(recipient=pat, kind="comment.mentioned")
    assert "Secret merger" not in notification.title and "merger" not in notification.title
    client.force_login(pat)
    assert client.get(deal.get_absolute_url()).status_code == 404
    assert client.get(reverse("collab:comments", args=["deal", deal.pk])).status_code == 404


def test_the_record_owner_hears_of_comments_and_a_thread_author_of_replies(
        sales_user, pat, admin_user, contact):
    first = services.add_comment(actor=pat, target=contact, body="Shall we?")
    services.add_comment(actor=admin_user, target=contact, body="Yes", parent=first)

    assert Notification.objects.filter(recipient=sales_user, kind="comment.reply").count() == 2
    assert Notification.objects.filter(recipient=pat, kind="comment.reply").count() == 1


def test_replies_stay_one_level_deep(sales_user, pat, contact):
    first = services.add_comment(actor=sales_user, target=contact, body="one")
    reply = services.add_comment(actor=pat, target=contact, body="two", parent=first)

    deeper = services.add_comment(actor=sales_user, target=contact, body="three",
                                  parent=reply)

    assert deeper.parent == first


def test_editing_keeps_history_and_notifies_only_new_mentions(sales_user, pat, admin_user,
                                                               contact):
    comment = services.add_comment(actor=sales_user, target=contact,
                                   body=f"hi {mention_token(pat)}")

    services.edit_comment(comment, actor=sales_user,
                          body=f"hi {mention_token(pat)} and {mention_token(admin_user)}")

    assert [r.body for r in CommentRevision.objects.filter(comment=comment)] == [
        f"hi {mention_token(pat)}"]
    assert Notification.objects.filter(kind="comment.mentioned", recipient=pat).count() == 1
    assert Notification.objects.filter(kind="comment.mentioned",
                                       recipient=admin_user).count() == 1


def test_posting_a_comment_with_htmx_returns_the_refreshed_panel(client, sales_user, contact):
    client.force_login(sales_user)

    response = client.post(reverse("collab:comments", args=["contact", contact.pk]),
                           {"body": "Looks good"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Looks good" in response.content.decode()
    assert Comment.objects.get().author == sales_user


def test_only_the_author_or_an_admin_edits_or_deletes(client, sales_user, pat, admin_user,
                                                      contact):
    comment = services.add_comment(actor=sales_user, target=contact, body="mine")
    client.force_login(pat)

    assert client.post(reverse("collab:comment_edit", args=[comment.pk]),
                       {"body": "hijacked"}).status_code == 403
    assert client.post(reverse("collab:comment_delete", args=[comment.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.post(reverse("collab:comment_delete", args=[comment.pk])).status_code == 302
    comment.refresh_from_db()
    assert comment.deleted_at is not None and comment.body == "mine"


def test_an_edited_comment_shows_edited_and_its_history(client, sales_user, contact):
    comment = services.add_comment(actor=sales_user, target=contact, body="first take")
    services.edit_comment(comment, actor=sales_user, body="second take")
    client.force_login(sales_user)

    page = client.get(contact.get_absolute_url()).content.decode()
    history = client.get(reverse("collab:comment_history", args=[comment.pk]),
                         HTTP_HX_REQUEST="true").content.decode()

    assert "second take" in page and ">edited<" in page.replace("\n", "")
    assert "first take" in history and "second take" in history


def test_the_comments_panel_reads_a_whole_thread_in_a_few_queries(
        client, sales_user, pat, contact, django_assert_max_num_queries):
    for number in range(5):
        top = services.add_comment(actor=sales_user, target=contact,
                                   body=f"{mention_token(pat)} n{number}")
        services.add_comment(actor=pat, target=contact, body="ok", parent=top)
    client.force_login(sales_user)
    url = reverse("collab:comments", args=["contact", contact.pk])
    client.get(url)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert response.content.decode().count('class="collab-comment"') == 10


def test_a_contacts_timeline_says_who_commented_and_links_to_the_comment(client, sales_user,
                                                                         contact):
    comment = services.add_comment(actor=sales_user, target=contact, body="Nice one")
    client.force_login(sales_user)

    html = client.get(contact.get_absolute_url()).content.decode()

    assert "Sam commented" in html and f'href="#comment-{comment.pk}"' in html


def test_a_comment_is_edited_in_place_with_htmx(client, sales_user, contact):
    comment = services.add_comment(actor=sales_user, target=contact, body="frist")
    client.force_login(sales_user)
    url = reverse("collab:comment_edit", args=[comment.pk])

    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    empty = client.post(url, {"body": "  "}, HTTP_HX_REQUEST="true")
    saved = client.post(url, {"body": "first"}, HTTP_HX_REQUEST="true")

    assert f'id="comment-edit-{comment.pk}"' in form and ">frist</textarea>" in form
    assert empty.status_code == 200 and 'role="alert"' in empty.content.decode()
    assert saved.status_code == 200 and "collab-comments" in saved.content.decode()
    comment.refresh_from_db()
    assert comment.body == "first"
