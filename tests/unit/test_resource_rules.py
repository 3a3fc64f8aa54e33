"""Rules for resources: titles, summaries, links and their duplicate key, tags, and safe search terms."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import resources as rules
from bot.domain.errors import InvalidInput


def test_titles_are_trimmed_and_never_cut_short() -> None:
    assert rules.clean_title("  Sleep   and\tshift work ") == "Sleep and shift work"
    assert rules.clean_title("x" * rules.TITLE_MAX) == "x" * rules.TITLE_MAX
    with pytest.raises(InvalidInput, match="at most 100 characters \\(this one has 101\\)"):
        rules.clean_title("x" * 101)
    with pytest.raises(InvalidInput, match="needs a title"):
        rules.clean_title("   ")


def test_summaries_are_trimmed_and_never_cut_short() -> None:
    assert rules.clean_summary("  Five minutes of breathing.\n ") == "Five minutes of breathing."
    with pytest.raises(InvalidInput, match="at most 500 characters \\(this one has 501\\)"):
        rules.clean_summary("y" * 501)
    with pytest.raises(InvalidInput, match="needs a short summary"):
        rules.clean_summary("")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.mind.org.uk/information-support/",
        "http://example.org",
        "HTTPS://Example.ORG:8443/a?b=c#d",
        "https://192.168.1.10/guide",
        "https://[2001:db8::1]/guide",
        "https://café.example.cymru/llesiant",
    ],
)
def test_good_links_are_kept_as_given(url: str) -> None:
    assert rules.clean_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "needs a link"),
        ("www.mind.org.uk/help", "Did you mean `https://www.mind.org.uk/help`"),
        ("ftp://files.example.org/x", "starting with `https://`"),
        ("javascript:alert(1)", "starting with `https://`"),
        ("mailto:help@example.org", "starting with `https://`"),
        ("https://example.org/two words", "can't contain spaces"),
        ("https://example.org/\u0000", "can't contain spaces"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://user@example.org/", "user name or password"),
        ("https://localhost/", "doesn't name a website"),
        ("https:///path-only", "doesn't name a website"),
        ("https://-bad-.example.org/", "doesn't name a website"),
        ("https://example.123/", "doesn't name a website"),
        ("https://example.org:99999/", "port number"),
        ("https://example.org/" + "a" * 500, "at most 500 characters"),
    ],
)
def test_bad_links_are_refused_clearly(url: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(reason)):
        rules.clean_url(url)


def test_the_same_page_gives_the_same_key() -> None:
    key = rules.url_key("https://www.mind.org.uk/information-support?topic=stress&lang=en")
    assert key == "www.mind.org.uk/information-support?lang=en&topic=stress"
    for same in [
        "http://www.mind.org.uk/information-support/?lang=en&topic=stress",
        "HTTPS://WWW.MIND.ORG.UK:443/information-support?topic=stress&lang=en#section-2",
        "https://www.mind.org.uk/information-support/?utm_source=newsletter&topic=stress&UTM_Medium=email&lang=en",
        "https://www.mind.org.uk/information-support?fbclid=abc&lang=en&topic=stress&gclid=1",
        "http://www.mind.org.uk:80/information-support?topic=stress&lang=en",
    ]:
        assert rules.url_key(same) == key, same
    # Paths keep their case, other ports and parameters count.
    assert rules.url_key("https://www.mind.org.uk/Information-Support") != key
    assert rules.url_key("https://www.mind.org.uk:8080/information-support?lang=en&topic=stress") != key
    assert rules.url_key("https://www.mind.org.uk/information-support?lang=cy&topic=stress") != key
    assert rules.url_key("https://[2001:DB8::1]:443/") == "[2001:db8::1]"


_label = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
_segment = st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True)
_param = st.tuples(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.from_regex(r"[A-Za-z0-9]{0,6}", fullmatch=True))


@given(
    host=st.lists(_label, min_size=2, max_size=4).map(".".join),
    path=st.lists(_segment, max_size=4).map(lambda parts: "".join("/" + p for p in parts)),
    params=st.lists(_param, max_size=4, unique_by=lambda p: p[0]).filter(
        lambda ps: not any(name.startswith("utm") for name, _ in ps)
    ),
    tracking=st.lists(st.sampled_from(["utm_source=a", "utm_campaign=b", "UTM_Medium=c", "fbclid=d"]), max_size=3),
    https=st.booleans(),
    fragment=st.from_regex(r"[a-z0-9-]{0,8}", fullmatch=True),
)
def test_decorations_never_change_the_key(
    host: str, path: str, params: list[tuple[str, str]], tracking: list[str], https: bool, fragment: str
) -> None:
    query = "&".join(f"{name}={value}" for name, value in params)
    plain = f"https://{host}{path}" + (f"?{query}" if query else "")
    shuffled = [f"{name}={value}" for name, value in reversed(params)] + tracking
    decorated = (
        f"{'https' if https else 'http'}://{host.upper()}:{443 if https else 80}{path}/"
        + (f"?{'&'.join(shuffled)}" if shuffled else "")
        + (f"#{fragment}" if fragment else "")
    )
    assert rules.clean_url(decorated) == decorated
    assert rules.url_key(decorated) == rules.url_key(plain)
    assert len(rules.url_key(plain)) <= len(plain)


@given(st.text(max_size=520))
def test_any_text_is_a_clean_link_or_refused(raw: str) -> None:
    try:
        url = rules.clean_url(raw)
    except InvalidInput as refused:
        assert refused.message
        return
    assert url == raw.strip()
    assert len(url) <= rules.URL_MAX and len(rules.url_key(url)) <= rules.URL_MAX
    assert not any(ch.isspace() for ch in url)
    assert url.lower().startswith(("http://", "https://"))


def test_tags_come_from_the_framework() -> None:
    assert rules.parse_tags("mental health,  LEADERSHIP ,, Mental Health") == ("Mental health", "Leadership")
    assert rules.parse_tags("Stress  and burnout") == ("Stress and burnout",)
    with pytest.raises(InvalidInput, match="at least one tag"):
        rules.parse_tags(" , ")
    with pytest.raises(InvalidInput, match="at most 5 tags \\(you gave 6\\)"):
        rules.parse_tags(", ".join(rules.THEMES[:6]))
    with pytest.raises(InvalidInput) as unknown:
        rules.parse_tags("Leadership, Yoga")
    assert "**Yoga**" in unknown.value.message and all(theme in unknown.value.message for theme in rules.THEMES)
    with pytest.raises(InvalidInput, match="What works"):
        rules.parse_tags(rules.WHAT_WORKS_TAG)  # members' stories, not a resource theme


@given(st.lists(st.sampled_from(rules.THEMES), min_size=1, max_size=rules.TAGS_MAX), st.booleans())
def test_tag_lists_round_trip(themes: list[str], shout: bool) -> None:
    raw = " , ".join(theme.upper() if shout else theme for theme in themes)
    tags = rules.parse_tags(raw)
    assert tags == tuple(dict.fromkeys(themes))
    assert rules.parse_tags(", ".join(tags)) == tags


def test_the_themes_fit_a_forum() -> None:
    assert len(rules.FORUM_TAGS) <= 20 and all(1 <= len(tag) <= 20 for tag in rules.FORUM_TAGS)
    assert len({tag.casefold() for tag in rules.FORUM_TAGS}) == len(rules.FORUM_TAGS)


def test_tag_autocomplete_completes_the_word_being_typed() -> None:
    assert rules.suggest_tags("")[:3] == list(rules.THEMES[:3])
    assert rules.suggest_tags("heal") == ["Mental health", "Physical health"]
    assert rules.suggest_tags("Leadership, men") == ["Leadership, Mental health", "Leadership, Bereavement"]
    assert "Leadership, Leadership" not in rules.suggest_tags("Leadership, lea")
    five = ", ".join(rules.THEMES[:5])
    assert rules.suggest_tags(five + ", Rec") == [five]
    assert rules.suggest_themes("RE")[0] == "Recognition"  # starts with it, before those that only contain it
    assert rules.find_theme("  team CULTURE ") == "Team culture"


@given(st.text(max_size=200))
def test_search_terms_are_always_safe_words(query: str) -> None:
    try:
        terms = rules.search_terms(query)
    except InvalidInput as refused:
        assert refused.message
        return
    assert 1 <= len(terms) <= rules.SEARCH_TERMS_MAX
    assert len(set(terms)) == len(terms)
    for term in terms:
        assert re.fullmatch(r"[^\W_]+", term) and term == term.casefold()


def test_search_terms_drop_syntax_and_common_words() -> None:
    assert rules.search_terms('"sleep" AND (burn*) OR NEAR(x: -y) ^z') == ("sleep", "burn", "near", "x", "y", "z")
    assert rules.search_terms("How to cope with stress at work") == ("cope", "stress", "work")
    assert rules.search_terms("Llesiant — gofal") == ("llesiant", "gofal")
    with pytest.raises(InvalidInput, match="at least one word"):
        rules.search_terms("*** ()")
    with pytest.raises(InvalidInput, match="too common"):
        rules.search_terms("how to")


def test_site_of_a_link() -> None:
    assert rules.site_of("https://www.mind.org.uk/a?b") == "mind.org.uk"
    assert rules.site_of("https://skillsforcare.org.uk") == "skillsforcare.org.uk"


def test_a_draft_names_every_problem_at_once() -> None:
    draft = rules.check_draft(" Sleep ", "https://Example.org/sleep/?utm_source=x", " Rest. ", "learning")
    assert draft == rules.ResourceDraft(
        "Sleep", "https://Example.org/sleep/?utm_source=x", "example.org/sleep", "Rest.", ("Learning",)
    )
    with pytest.raises(InvalidInput) as one:
        rules.check_draft("Sleep", "https://example.org", "Rest.", "Yoga")
    assert one.value.message.startswith("There's no tag called **Yoga**") and one.value.message.endswith(
        "Nothing was saved."
    )
    with pytest.raises(InvalidInput) as several:
        rules.check_draft("x" * 101, "example.org", "", "")
    lines = several.value.message.splitlines()
    assert (
        lines[0].startswith("Nothing was saved.")
        and len(lines) == 5
        and all(line.startswith("• ") for line in lines[1:])
    )


def test_a_reason_to_decline_is_optional_and_never_cut_short() -> None:
    assert rules.clean_reason(None) is None
    assert rules.clean_reason("   ") is None
    assert rules.clean_reason(" We have one already. ") == "We have one already."
    with pytest.raises(InvalidInput, match="at most 300 characters"):
        rules.clean_reason("r" * 301)


@given(st.text(max_size=120))
def test_every_tag_suggestion_is_a_valid_choice(current: str) -> None:
    for suggestion in rules.suggest_tags(current):
        assert 1 <= len(suggestion) <= 100  # Discord's limit for a choice
        assert rules.parse_tags(suggestion)


WELSH = {"iechyd meddwl": "Mental health", "diwylliant tîm": "Team culture"}  # as the catalogue names them


def test_a_theme_may_be_named_in_welsh() -> None:
    assert rules.find_theme(" Iechyd  MEDDWL ", WELSH) == "Mental health"
    assert rules.parse_tags("Iechyd meddwl, Leadership, mental health", WELSH) == ("Mental health", "Leadership")
    with pytest.raises(rules.UnknownTheme) as unknown:
        rules.find_theme("Iechyd meddwl")  # without the Welsh names, it is no theme
    assert unknown.value.raw == "Iechyd meddwl" and unknown.value.values["tags"].startswith("Leadership, ")
    names = {theme: name.capitalize() for name, theme in WELSH.items()}
    assert rules.suggest_themes("diwyll", names) == ["Team culture"]
    assert rules.suggest_tags("Iechyd meddwl, diwyll", names=names) == ["Mental health, Team culture"]


def test_searching_for_a_theme_by_its_welsh_name_adds_its_english_words() -> None:
    assert rules.search_terms("iechyd meddwl", WELSH) == ("iechyd", "meddwl", "mental", "health")
    assert rules.search_terms("cysgu a meddwl", WELSH) == ("cysgu", "meddwl")  # a word of a name is not the name
    assert rules.search_terms("iechyd meddwl") == ("iechyd", "meddwl")


def test_all_the_problems_of_a_draft_are_kept_for_the_reader() -> None:
    with pytest.raises(rules.DraftProblems) as refused:
        rules.check_draft("", "example.org", "Rest.", "Ioga")
    assert [type(problem) for problem in refused.value.problems] == [InvalidInput, InvalidInput, rules.UnknownTheme]
