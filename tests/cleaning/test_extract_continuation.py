"""Article bodies split into several containers: the page closes the body's <div> before an
advertisement and opens another of the same class after it; trafilatura keeps the first one.
``continuation_text`` appends the later containers' paragraphs when they are sentences, and
leaves alone link lists, page-builder widgets and text already extracted. Pages are built here in
the layout that fails (a magazine template: body chunks between ad rows), in seven scripts."""

from __future__ import annotations

import copy

import pytest

from cleaning.config import load_config
from cleaning.extract import continuation_text, extract_html
from trafilatura.utils import load_html

CFG = load_config()
OFF = copy.deepcopy(CFG)
OFF["extract"]["continuation"]["enabled"] = False

# Sentences of one news story per language, one paragraph each: all but the last three in the
# first container (enough text for trafilatura to trust it: Korean and Chinese need more
# sentences for as many characters), the last three after the advertisement.
STORY = {
    "en": ["The city council voted on Tuesday to extend the night bus service to the airport and the two hospitals.",
           "The change takes effect in March and will cost about four million dollars a year, the transport office said.",
           "Unions representing the drivers said they had not been consulted on the new timetable.",
           "A public hearing on the plan is scheduled for next month at the main library downtown.",
           "Residents of the northern districts have asked for the service for years, saying the last bus now leaves before most late shifts end.",
           "The transport office expects about three thousand riders a night once the route is fully running.",
           "Council members who voted against the plan said the money would be better spent on repairing roads and bridges."],
    "ko": ["시 관계자는 심야버스 노선 연장이 대중교통 사각지대를 줄이는 첫걸음이 될 것이라고 기대했다.",
           "시는 또 심야 시간대 택시 부족 문제를 해결하기 위해 별도의 대책을 마련하고 있다고 덧붙였다.",
           "이번 결정은 지난해 시민 만 명이 참여한 온라인 청원에서 가장 많은 지지를 받은 제안을 반영한 것이다.",
           "서울시의회는 화요일 공항과 두 대학병원을 잇는 심야버스 노선을 연장하는 안을 통과시켰다.",
           "교통국은 새 노선이 3월부터 운행되며 연간 약 50억원의 예산이 들 것이라고 밝혔다.",
           "운전기사 노조는 새 시간표에 대해 사전에 아무런 협의도 없었다고 반발했다.",
           "시는 다음 달 시립도서관에서 주민 공청회를 열어 의견을 듣기로 했다.",
           "북부 지역 주민들은 마지막 버스가 야간 근무가 끝나기 전에 끊긴다며 수년째 노선 연장을 요구해 왔다.",
           "교통국은 노선이 완전히 운영되면 하루 밤 평균 약 3천 명의 승객이 이 버스를 이용할 것으로 예상한다고 설명했다.",
           "반대표를 던진 일부 시의원들은 이 예산을 낡은 도로와 교량을 보수하는 데 쓰는 편이 시민들에게 더 도움이 될 것이라고 주장했다."],
    "zh": ["市政府官员表示，延长夜间公交线路是减少公共交通服务盲区的第一步，今后还将继续优化线网。",
           "官员还说，为了解决深夜时段出租车难打的问题，市里正在另行研究制定专门的应对措施。",
           "这一决定采纳了去年一项有上万名市民参与的网上请愿中获得支持最多的建议，受到广泛关注。",
           "市议会周二投票通过决定，将夜间公交线路延伸至机场和两家大型医院，方便夜班工作人员出行。",
           "交通局表示，新线路将于三月起运营，每年预计花费约两千万元，资金来自市级财政预算。",
           "代表司机的工会表示，在制定新的时刻表之前，市政府没有征求他们的任何意见。",
           "市政府计划下个月在市图书馆举行公开听证会，广泛听取市民对这一方案的意见和建议。",
           "北部城区的居民多年来一直呼吁开通这条线路，他们说目前末班车在大多数夜班结束之前就已经发车。",
           "交通局预计，线路全面运营后，每晚将有大约三千名乘客乘坐这条夜间公交线路往返于市区和机场之间。",
           "投反对票的几名议员认为，这笔资金如果用于维修老旧的道路和桥梁，将会让更多的市民从中受益。"],
    "ru": ["Городской совет во вторник проголосовал за продление ночного автобусного маршрута до аэропорта и двух больниц.",
           "По словам транспортного управления, изменения вступят в силу в марте и обойдутся примерно в триста миллионов рублей в год.",
           "Профсоюз водителей заявил, что с ним не советовались при составлении нового расписания.",
           "Публичные слушания по проекту назначены на следующий месяц в центральной библиотеке.",
           "Жители северных районов годами просили об этом, жалуясь, что последний автобус уходит раньше, чем заканчиваются вечерние смены.",
           "Транспортное управление ожидает, что после полного запуска маршрутом будут пользоваться около трёх тысяч пассажиров за ночь.",
           "Депутаты, голосовавшие против, заявили, что эти деньги лучше было бы потратить на ремонт дорог и мостов."],
    "el": ["Το δημοτικό συμβούλιο ψήφισε την Τρίτη την επέκταση της νυχτερινής λεωφορειακής γραμμής έως το αεροδρόμιο και τα δύο νοσοκομεία.",
           "Η αλλαγή θα ισχύσει από τον Μάρτιο και θα κοστίζει περίπου τέσσερα εκατομμύρια ευρώ τον χρόνο, σύμφωνα με τη δημοτική υπηρεσία.",
           "Το σωματείο των οδηγών δήλωσε ότι δεν ρωτήθηκε για το νέο ωράριο των δρομολογίων.",
           "Δημόσια διαβούλευση για το σχέδιο θα γίνει τον επόμενο μήνα στην κεντρική βιβλιοθήκη.",
           "Οι κάτοικοι των βόρειων συνοικιών ζητούσαν εδώ και χρόνια τη γραμμή, λέγοντας ότι το τελευταίο λεωφορείο φεύγει πριν τελειώσουν οι βάρδιες.",
           "Η δημοτική υπηρεσία μεταφορών εκτιμά ότι περίπου τρεις χιλιάδες επιβάτες θα χρησιμοποιούν τη γραμμή κάθε βράδυ.",
           "Οι σύμβουλοι που καταψήφισαν το σχέδιο είπαν ότι τα χρήματα θα ήταν καλύτερα να διατεθούν για την επισκευή δρόμων και γεφυρών."],
    "pl": ["Rada miasta przegłosowała we wtorek wydłużenie nocnej linii autobusowej do lotniska i dwóch szpitali.",
           "Zmiana wejdzie w życie w marcu i będzie kosztować około piętnastu milionów złotych rocznie, podał zarząd transportu.",
           "Związek zawodowy kierowców oświadczył, że nikt nie konsultował z nim nowego rozkładu jazdy.",
           "Konsultacje społeczne w sprawie planu zaplanowano na przyszły miesiąc w bibliotece głównej.",
           "Mieszkańcy północnych dzielnic od lat domagali się tej linii, bo ostatni autobus odjeżdża przed końcem większości nocnych zmian.",
           "Zarząd transportu szacuje, że po pełnym uruchomieniu z linii będzie korzystać około trzech tysięcy pasażerów każdej nocy.",
           "Radni, którzy głosowali przeciw, twierdzili, że pieniądze lepiej byłoby przeznaczyć na remonty dróg i mostów."],
    "ar": ["صوت مجلس المدينة يوم الثلاثاء على تمديد خط الحافلات الليلي إلى المطار والمستشفيين الرئيسيين في المدينة.",
           "وقالت هيئة النقل إن التغيير سيدخل حيز التنفيذ في مارس وسيكلف نحو أربعة ملايين دولار سنويا.",
           "وقالت نقابة السائقين إنه لم تتم استشارتها بشأن الجدول الزمني الجديد للرحلات.",
           "ومن المقرر عقد جلسة استماع عامة حول الخطة الشهر المقبل في المكتبة المركزية.",
           "وطالب سكان الأحياء الشمالية بهذه الخدمة منذ سنوات، قائلين إن آخر حافلة تغادر قبل انتهاء معظم المناوبات الليلية.",
           "وتتوقع هيئة النقل أن يستخدم الخط نحو ثلاثة آلاف راكب كل ليلة بعد تشغيله بالكامل.",
           "وقال أعضاء المجلس الذين صوتوا ضد الخطة إن من الأفضل إنفاق هذه الأموال على إصلاح الطرق والجسور القديمة."],
}
HEADLINES = {
    "en": ["Storm closes coastal roads", "Budget talks resume", "Local team wins the cup"],
    "ko": ["태풍에 해안도로 통제", "예산 협상 재개", "지역팀 우승"],
    "zh": ["暴雨致沿海道路封闭", "预算谈判重启", "本地球队夺冠"],
    "ru": ["Шторм закрыл прибрежные дороги", "Переговоры о бюджете возобновились", "Местная команда выиграла кубок"],
    "el": ["Κλειστοί παραλιακοί δρόμοι λόγω καταιγίδας", "Ξανά συνομιλίες για τον προϋπολογισμό", "Κύπελλο για την ομάδα"],
    "pl": ["Burza zamknęła drogi nad morzem", "Wznowiono rozmowy o budżecie", "Miejscowa drużyna wygrała puchar"],
    "ar": ["عاصفة تغلق الطرق الساحلية", "استئناف محادثات الميزانية", "الفريق المحلي يفوز بالكأس"],
}
BODY = "grid--item body body__container article__body"


def _paragraphs(lang: str) -> list[str]:
    return STORY[lang]


def _page(lang: str, second: str, *, related: str = "") -> str:
    first = "".join(f"<p>{p}</p>" for p in _paragraphs(lang)[:-3])
    return (f'<html lang="{lang}"><head><title>{HEADLINES[lang][0]}</title></head><body>'
            f"<header><h1>{HEADLINES[lang][0]}</h1></header>"
            f'<div class="article__chunks"><div class="grid narrow"><div class="{BODY}">{first}</div>'
            f'<div class="grid--item rail"><div class="ad ad--rail"></div></div></div>'
            f'<div class="row full-bleed-ad"><div class="ad ad--mid"><span class="ad-label">Advertisement</span></div></div>'
            f'<div class="grid narrow"><div class="{BODY}">{second}</div></div></div>'
            f"{related}<footer><p>© 2024 City News</p></footer></body></html>")


def _link_list(lang: str) -> str:
    return "<ul>" + "".join(f'<li><a href="/n/{i}">{h}</a></li>' for i, h in enumerate(HEADLINES[lang])) + "</ul>"


@pytest.mark.parametrize("lang", sorted(STORY))
def test_second_body_container_is_appended(lang: str) -> None:
    """The paragraphs after the advertisement are the same story: appended, in page order, and the
    second container's trailing link list ("More stories") is not."""
    paras = _paragraphs(lang)
    html = _page(lang, "".join(f"<p>{p}</p>" for p in paras[-3:]) + "<hr>" + _link_list(lang))
    off = extract_html(html, None, OFF)
    on = extract_html(html, None, CFG)
    assert off is not None and on is not None
    assert paras[-4] in off["text"] and paras[-3] not in off["text"]  # the failure being fixed
    assert on["extractor"] == "trafilatura+continuation"
    text = on["text"]
    assert text.index(paras[-4]) < text.index(paras[-3]) < text.index(paras[-2]) < text.index(paras[-1])
    for h in HEADLINES[lang][1:]:
        assert h not in text


@pytest.mark.parametrize("lang", sorted(STORY))
def test_same_class_block_of_links_or_headlines_is_not_appended(lang: str) -> None:
    """A later container of the body's class that holds a headline list or links, not sentences,
    is left out; so is a second container whose paragraphs are already in the text."""
    paras = _paragraphs(lang)
    headlines = "".join(f"<h3>{h}</h3>" for h in HEADLINES[lang] * 3)
    for second in (headlines + _link_list(lang), "".join(f"<p>{p}</p>" for p in paras[:-3])):
        on = extract_html(_page(lang, second), None, CFG)
        assert on is not None and on["extractor"] == "trafilatura", second[:40]


@pytest.mark.parametrize("lang", ["en", "ru", "zh"])
def test_page_builder_widget_class_is_not_followed(lang: str) -> None:
    """A class on every block of the page (a page builder's widget container) says nothing about
    what a block is: an author bio or a testimonial in such a block is not the story."""
    paras = _paragraphs(lang)
    widget = "elementor-widget-container"
    chrome = "".join(f'<div class="{widget}"><span>{h}</span></div>' for h in HEADLINES[lang] * 3)
    html = (f'<html><body>{chrome}<div class="{widget}">' + "".join(f"<p>{p}</p>" for p in paras[:-3]) +
            f'</div><div class="sidebar-box"><div class="{widget}">' + "".join(f"<p>{p}</p>" for p in paras[-3:]) +
            "</div></div></body></html>")
    assert continuation_text(load_html(html), "\n".join(paras[:-3]), CFG["extract"]["continuation"]) == ""
    # the same layout with a class of its own is followed
    named = html.replace(f'<div class="{widget}"><p>', '<div class="story-text"><p>')
    assert continuation_text(load_html(named), "\n".join(paras[:-3]), CFG["extract"]["continuation"]) == \
        "\n".join(paras[-3:])


def test_continuation_text_needs_a_classed_container() -> None:
    """Paragraphs in an unnamed <div>: nothing to follow."""
    paras = _paragraphs("en")
    html = "<html><body><div>" + "".join(f"<p>{p}</p>" for p in paras[:-3]) + "</div><div>" + \
        "".join(f"<p>{p}</p>" for p in paras[-3:]) + "</div></body></html>"
    assert continuation_text(load_html(html), "\n".join(paras[:-3]), CFG["extract"]["continuation"]) == ""


# ---- lists cut out of the middle of the story ------------------------------------------------------

LIST_ITEMS = {
    "en": ["Check the general condition of the roof", "Look for water damage and termites", "Review the plumbing and the water heater"],
    "ko": ["지붕 상태를 전반적으로 확인한다", "누수 흔적과 흰개미 피해를 살핀다", "배관과 온수기를 점검한다"],
    "zh": ["检查屋顶的整体状况", "查看是否有漏水和白蚁的痕迹", "检查水管和热水器"],
    "ru": ["Проверьте общее состояние крыши", "Ищите следы протечек и термитов", "Осмотрите водопровод и бойлер"],
    "el": ["Ελέγξτε τη γενική κατάσταση της στέγης", "Αναζητήστε υγρασία και τερμίτες", "Ελέγξτε τις σωληνώσεις και τον θερμοσίφωνα"],
    "pl": ["Sprawdź ogólny stan dachu", "Szukaj śladów zalania i termitów", "Obejrzyj instalację wodną i bojler"],
    "ar": ["تحقق من الحالة العامة للسقف", "ابحث عن آثار تسرب المياه والنمل الأبيض", "افحص السباكة وسخان المياه"],
}


def _list_page(lang: str, items_html: str) -> tuple[str, list[str]]:
    paras = _paragraphs(lang)
    html = (f'<html><body><div class="story-text"><p>{paras[0]}</p><p>{paras[1]}</p>{items_html}'
            f"<p>{paras[2]}</p><p>{paras[3]}</p></div></body></html>")
    return html, paras


@pytest.mark.parametrize("lang", sorted(LIST_ITEMS))
def test_list_cut_from_the_story_is_put_back(lang: str) -> None:
    """A list between two paragraphs that are consecutive lines of the extracted text goes back
    between them, one "- item" line each; text that already holds it is unchanged."""
    from cleaning.extract import restore_lists

    items = LIST_ITEMS[lang]
    html, paras = _list_page(lang, "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    cont = CFG["extract"]["continuation"]
    cut = "\n".join(paras[:4])
    assert restore_lists(load_html(html), cut, cont).split("\n") == \
        [paras[0], paras[1], *(f"- {i}" for i in items), paras[2], paras[3]]
    whole = restore_lists(load_html(html), cut, cont)
    assert restore_lists(load_html(html), whole, cont) == whole


@pytest.mark.parametrize("lang", ["en", "zh", "ar", "el"])
def test_link_lists_and_lists_away_from_the_cut_stay_out(lang: str) -> None:
    """A list of links is not the story; nor is a list whose neighbours are not consecutive lines
    of the text (the extraction did not cut it out of a passage it kept)."""
    from cleaning.extract import restore_lists

    cont = CFG["extract"]["continuation"]
    links = "<ul>" + "".join(f'<li><a href="/n/{k}">{h}</a></li>' for k, h in enumerate(HEADLINES[lang])) + "</ul>"
    html, paras = _list_page(lang, links)
    cut = "\n".join(paras[:4])
    assert restore_lists(load_html(html), cut, cont) == cut
    items = "<ul>" + "".join(f"<li>{i}</li>" for i in LIST_ITEMS[lang]) + "</ul>"
    html, paras = _list_page(lang, items)
    apart = "\n".join([paras[0], paras[1], paras[4], paras[2]])  # something else between them
    assert restore_lists(load_html(html), apart, cont) == apart
