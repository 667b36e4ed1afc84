"""The 👎 form names the right article (checked on the page) and the 관리 page's 피드백 검토 queue
marks it reviewed with a corrected article (AppTest, real stores over the UI test index)."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import ADMIN, QUESTION, open_app
from ui import state


def _down_with(at: Any, law: str, article: str) -> Any:
    msg_key = next(b.key for b in at.button if b.key and b.key.startswith("fb_down_"))
    msg_id = msg_key.removeprefix("fb_down_")
    at.text_input(key=f"fb_law_{msg_id}").set_value(law)
    at.text_input(key=f"fb_article_{msg_id}").set_value(article)
    return at.button(key=msg_key).click().run()


def test_a_thumbs_down_names_the_article_and_admins_review_it(app_env: dict[str, str]) -> None:
    at = open_app()
    at.chat_input(key="question").set_value(QUESTION).run()
    at = _down_with(at, "없는 법률", "제1조")
    assert any("색인된 법령에 없습니다" in str(e.value) for e in at.error)  # refused, not stored
    assert state.feedback_store().queue() == []
    at = _down_with(at, "민원처리법 시행령", "20조")
    assert any("의견이 저장되었습니다" in str(s.value) for s in at.success)
    [(record, review)] = state.feedback_store().queue("new")
    assert (record.question, review.law, review.article) == (
        QUESTION,
        "민원 처리에 관한 법률 시행령",
        "제20조",
    )

    adm = open_app("views/admin.py", ADMIN[2])
    adm.text_input(key=f"fr_article_{record.id}").set_value("제21조")
    adm.button(key="fr_ok").click().run()
    assert not adm.exception
    assert state.feedback_store().queue("new") == []
    [(_, done)] = state.feedback_store().queue("reviewed")
    assert (done.article, done.reviewer) == ("제21조", "admin")
    assert state.feedback_store().benchmark_lines()[0]["references"] == [
        {"law": "민원 처리에 관한 법률 시행령", "article": "제21조"}
    ]
