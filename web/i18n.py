"""UI text in English and Ukrainian: labels, month names, numbers and dates."""

from __future__ import annotations

from datetime import datetime

LANGUAGES = ("en", "uk")
DEFAULT = "en"

MESSAGES = {
    "en": {
        "title": "defnews — defense-industry news search",
        "tagline": "Search defense-industry news in English and Ukrainian",
        "search": "Search",
        "query_label": "Search query",
        "examples": "Try",
        "holds": "The index holds {documents} ({languages}), {span}; updated {updated}.",
        "results": "{total}",
        "results_range": "{first}–{last} of {total}",
        "took": "in {ms} ms",
        "no_results": "No articles match.",
        "did_you_mean": "Did you mean",
        "relaxed": "Few articles contain every word; these contain some of them, best first.",
        "all_words_only": "Only articles with every word",
        "also_searched": "Also searched",
        "also_for": "for",
        "also_left_out": "left out with",
        "typed_only": "Search only what I typed",
        "translate_off": "Only the words as typed were searched.",
        "translate_on": "Also search their equivalents in the other language",
        "also_reported_by": "Also reported by",
        "sort": "Sort",
        "sort_relevance": "Relevance",
        "sort_newest": "Newest",
        "sort_oldest": "Oldest",
        "facet_company": "Companies",
        "facet_system": "Weapon systems",
        "facet_class": "System classes",
        "entity_page": "About {name}",
        "kind_company": "Company",
        "kind_system": "Weapon system",
        "entity_class": "Class",
        "entity_family": "Variant of",
        "entity_variants": "Variants",
        "entity_makers": "Made by",
        "entity_products": "Systems it makes",
        "entity_aliases": "Also written",
        "named_with_company": "Companies named with it",
        "named_with_system": "Systems named with it",
        "coverage": "Articles per month",
        "newest_articles": "Newest articles",
        "all_articles": "All {total}",
        "no_articles": "No article in the index names it yet.",
        "no_article": "No article {id!r} in the index.",
        "tips": "Search tips",
        "tips_type": "You type",
        "tips_means": "It finds",
        "tip_words": "articles with both words, in any form",
        "tip_phrase": "the exact phrase, each word in any form",
        "tip_or": "either word",
        "tip_not": "without the word (NOT works too)",
        "tip_title": "the word in the title (body: for the text)",
        "tip_prefix": "words starting with ракет",
        "tip_group": "grouping with parentheses",
        "tip_company": "articles tagged with the company (any name, any case form)",
        "tip_class": "articles about any system of the class",
        "tip_published": "published in that span (whole months)",
        "tip_lang": "language and outlet",
        "tips_lenient": "A malformed query (an unclosed quote or parenthesis, a stray operator) is still searched, and the page says how it was read. When few articles hold every word, articles holding some of them follow.",
        "tips_filters": "The filters beside the results (companies, systems, languages, years and months) narrow the search; each keeps its counts for what choosing another value would add.",
        "read_here": "Read here",
        "skip_to_results": "Skip to the results",
        "skip_to_main": "Skip to the content",
        "filters_close": "Back to the results",
        "histogram_hint": "Point at a month for its count; drag across months, or shift-click a second month, to choose a span.",
        "histogram_range": "{first} – {last}: {count}",
        "read_as": "Searched as",
        "repair_quote_closed": "a quote was not closed: the phrase runs to the end",
        "repair_close_added": "a missing “)” was added",
        "repair_stray_close": "a “)” without its “(” was left out",
        "repair_lone_operator": "an OR, AND or NOT with nothing to join was left out",
        "repair_empty_field": "a field name with nothing after it was left out",
        "original": "Original at the source",
        "back_to_results": "Back to the results",
        "near_copies": "The same story elsewhere",
        "more_like_this": "More like this",
        "named_in_article": "Named in this article",
        "covered_company": "Most covered companies",
        "covered_system": "Most covered weapon systems",
        "facet_lang": "Language",
        "facet_source": "Sources",
        "facet_date": "Published",
        "show_more": "Show more",
        "show_less": "Show fewer",
        "remove": "Remove filter",
        "from": "From",
        "to": "To",
        "apply": "Apply",
        "all_dates": "Any date",
        "prev": "Previous",
        "next": "Next",
        "page": "Page {page}",
        "feed": "Atom feed of this search",
        "other_ui": "Українською",
        "error": "Something is wrong with this request",
        "not_found": "Page not found",
        "undated": "undated",
        "filters": "Filters",
        "histogram": "Articles per month",
        "month_bar": "{month}: {count}",
        "lang_en": "English",
        "lang_uk": "Ukrainian",
        "unavailable": "The search index is not available yet. Build it with: defnews index data/articles",
    },
    "uk": {
        "title": "defnews — пошук новин оборонної промисловості",
        "tagline": "Пошук новин оборонної промисловості українською та англійською",
        "search": "Шукати",
        "query_label": "Пошуковий запит",
        "examples": "Спробуйте",
        "holds": "В індексі {documents} ({languages}), {span}; оновлено {updated}.",
        "results": "Знайдено {total}",
        "results_range": "{first}–{last} з {total}",
        "took": "за {ms} мс",
        "no_results": "Нічого не знайдено.",
        "did_you_mean": "Можливо, ви мали на увазі",
        "relaxed": "Усі слова разом трапляються рідко; це статті з частиною слів, найкращі першими.",
        "all_words_only": "Лише статті з усіма словами",
        "also_searched": "Також шукали",
        "also_for": "для",
        "also_left_out": "виключено разом із",
        "typed_only": "Шукати лише те, що я ввів",
        "translate_off": "Шукали лише слова, як їх введено.",
        "translate_on": "Шукати також відповідники іншою мовою",
        "also_reported_by": "Також повідомили",
        "sort": "Сортування",
        "sort_relevance": "За релевантністю",
        "sort_newest": "Спершу нові",
        "sort_oldest": "Спершу старі",
        "facet_company": "Компанії",
        "facet_system": "Системи озброєння",
        "facet_class": "Класи озброєння",
        "entity_page": "Про {name}",
        "kind_company": "Компанія",
        "kind_system": "Система озброєння",
        "entity_class": "Клас",
        "entity_family": "Варіант",
        "entity_variants": "Варіанти",
        "entity_makers": "Виробники",
        "entity_products": "Її системи озброєння",
        "entity_aliases": "Інші написання",
        "named_with_company": "Компанії, згадані разом",
        "named_with_system": "Системи, згадані разом",
        "coverage": "Статті за місяцями",
        "newest_articles": "Найновіші статті",
        "all_articles": "Усі {total}",
        "no_articles": "Жодна стаття в індексі ще не згадує її.",
        "no_article": "У індексі немає статті {id!r}.",
        "tips": "Поради з пошуку",
        "tips_type": "Введіть",
        "tips_means": "Знайде",
        "tip_words": "статті з обома словами в будь-якій формі",
        "tip_phrase": "точну фразу, кожне слово в будь-якій формі",
        "tip_or": "будь-яке з двох слів",
        "tip_not": "без цього слова (працює й NOT)",
        "tip_title": "слово в заголовку (body: — у тексті)",
        "tip_prefix": "слова, що починаються з «ракет»",
        "tip_group": "групування дужками",
        "tip_company": "статті про компанію (будь-яка назва, будь-який відмінок)",
        "tip_class": "статті про будь-яку систему цього класу",
        "tip_published": "опубліковані в цей проміжок (цілі місяці)",
        "tip_lang": "мова і видання",
        "tips_lenient": "Запит із помилкою (незакриті лапки чи дужка, зайвий оператор) все одно шукається, а сторінка каже, як його прочитано. Коли всі слова мають небагато статей, далі йдуть статті з частиною слів.",
        "tips_filters": "Фільтри поруч із результатами (компанії, системи, мови, роки й місяці) звужують пошук; кожен показує, скільки додасть вибір іншого значення.",
        "read_here": "Читати тут",
        "skip_to_results": "Перейти до результатів",
        "skip_to_main": "Перейти до вмісту",
        "filters_close": "Назад до результатів",
        "histogram_hint": "Наведіть на місяць, щоб побачити кількість; протягніть через місяці або клацніть другий із Shift, щоб вибрати проміжок.",
        "histogram_range": "{first} – {last}: {count}",
        "read_as": "Шукали як",
        "repair_quote_closed": "лапки не закрито: фраза триває до кінця",
        "repair_close_added": "додано пропущену «)»",
        "repair_stray_close": "«)» без «(» пропущено",
        "repair_lone_operator": "OR, AND чи NOT, яким нічого поєднувати, пропущено",
        "repair_empty_field": "назву поля без нічого після неї пропущено",
        "original": "Оригінал у джерелі",
        "back_to_results": "Назад до результатів",
        "near_copies": "Та сама новина деінде",
        "more_like_this": "Схожі статті",
        "named_in_article": "Згадано у статті",
        "covered_company": "Найчастіше згадувані компанії",
        "covered_system": "Найчастіше згадувані системи озброєння",
        "facet_lang": "Мова",
        "facet_source": "Джерела",
        "facet_date": "Дата публікації",
        "show_more": "Показати більше",
        "show_less": "Показати менше",
        "remove": "Прибрати фільтр",
        "from": "Від",
        "to": "До",
        "apply": "Застосувати",
        "all_dates": "Будь-яка дата",
        "prev": "Попередня",
        "next": "Наступна",
        "page": "Сторінка {page}",
        "feed": "Atom-стрічка цього пошуку",
        "other_ui": "In English",
        "error": "Із цим запитом щось не так",
        "not_found": "Сторінку не знайдено",
        "undated": "без дати",
        "filters": "Фільтри",
        "histogram": "Статті за місяцями",
        "month_bar": "{month}: {count}",
        "lang_en": "англійська",
        "lang_uk": "українська",
        "unavailable": "Пошуковий індекс ще не створено. Створіть його командою: defnews index data/articles",
    },
}

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "uk": "січ лют бер кві тра чер лип сер вер жов лис гру".split(),
}
# Month names in the genitive, as Ukrainian dates need ("5 серпня 2024").
MONTHS_FULL = {
    "en": "January February March April May June July August September October November December".split(),
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split(),
}


def text(ui: str, key: str, **values) -> str:
    """The message ``key`` in language ``ui``, with ``values`` filled in."""
    message = MESSAGES.get(ui, MESSAGES[DEFAULT]).get(key) or MESSAGES[DEFAULT][key]
    return message.format(**values) if values else message


# A hit's language badge: "UK" would read as the United Kingdom.
LANGUAGE_BADGES = {"en": {"en": "EN", "uk": "UKR"}, "uk": {"en": "АНГЛ", "uk": "УКР"}}


def badge(ui: str, lang: str) -> str:
    return LANGUAGE_BADGES.get(ui, LANGUAGE_BADGES[DEFAULT]).get(lang, lang.upper())


# Nouns counted in the UI: English singular and plural; Ukrainian forms for
# 1 (21, 31…), 2–4 (22–24…) and the rest (5–20, 25–30…, 11–14).
NOUNS = {
    "result": {"en": ("result", "results"), "uk": ("результат", "результати", "результатів")},
    "article": {"en": ("article", "articles"), "uk": ("стаття", "статті", "статей")},
}


def count(ui: str, value: int, noun: str) -> str:
    """A number with its noun agreeing: "1 article", "124 статті", "5 статей".

    >>> count("uk", 124, "article"), count("uk", 11, "article"), count("en", 1, "result")
    ('124 статті', '11 статей', '1 result')
    """
    forms = NOUNS[noun]["uk" if ui == "uk" else "en"]
    if ui != "uk":
        form = forms[0] if value == 1 else forms[1]
    elif value % 10 == 1 and value % 100 != 11:
        form = forms[0]
    elif 2 <= value % 10 <= 4 and not 12 <= value % 100 <= 14:
        form = forms[1]
    else:
        form = forms[2]
    return f"{number(ui, value)} {form}"


def number(ui: str, value: int) -> str:
    """1,234 in English; 1 234 (narrow no-break space) in Ukrainian."""
    formatted = f"{value:,}"
    return formatted.replace(",", "\u202f") if ui == "uk" else formatted


def date(ui: str, iso: str | None) -> str:
    """A publication date for people: "5 Aug 2024" / "5 серпня 2024"."""
    if not iso:
        return text(ui, "undated")
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if ui == "uk":
        return f"{moment.day} {MONTHS_FULL['uk'][moment.month - 1]} {moment.year}"
    return f"{moment.day} {MONTHS['en'][moment.month - 1]} {moment.year}"


def month(ui: str, value: str) -> str:
    """ "2024-06" → "Jun 2024" / "чер 2024"."""
    year, number_ = value.split("-")
    return f"{MONTHS.get(ui, MONTHS[DEFAULT])[int(number_) - 1]} {year}"
