/* Promise-to-pay and return dates in a reply's text, resolved against the
 * message's day by the rules of models/corpus/README.md. Reads the folded
 * token stream once; must never loop back over the text or accept a day
 * that does not exist (31.02.). */
#include "facts.h"
#include "facts_int.h"
#include <string.h>

typedef enum {
    C_DATE,     /* a calendar date: 15.12., 15 December, December 15th */
    C_DOM,      /* a day of the month alone: the 15th, am 15. */
    C_WEEKDAY,  /* Friday */
    C_REL,      /* today, tomorrow */
    C_SPAN,     /* in 10 days, in two weeks */
    C_PERIOD,   /* next week, end of the month */
    C_RUN,      /* our next payment run */
} CKind;

typedef struct {
    ArdDay day;
    int start, end;     /* token range */
    CKind kind;
    bool yearless;      /* a day and month the text gave without a year */
} Cand;

/* ---- calendar helpers ---- */

static ArdDay next_dm(ArdDay ref, int d, int m)
{
    int y, rm, rd;
    ard_day_to_ymd(ref, &y, &rm, &rd);
    ArdDay out;
    if (!ard_day_from_ymd(y, m, d, &out)) {
        /* 29 February: the next leap year that has it, within four years. */
        for (int k = 1; k <= 4; k++)
            if (ard_day_from_ymd(y + k, m, d, &out))
                return out;
        return ARD_DAY_NONE;
    }
    if (out < ref && !ard_day_from_ymd(y + 1, m, d, &out))
        return ARD_DAY_NONE;
    return out;
}

static ArdDay next_dom(ArdDay ref, int d)
{
    int y, m, rd;
    ard_day_to_ymd(ref, &y, &m, &rd);
    for (int k = 0; k < 3; k++) {
        ArdDay out;
        if (ard_day_from_ymd(y, m, d, &out) && out >= ref)
            return out;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return ARD_DAY_NONE;
}

static ArdDay next_weekday(ArdDay ref, int wd)
{
    int delta = (wd - ard_day_weekday(ref) + 7) % 7;
    return ref + (delta == 0 ? 7 : delta);
}

/* Weekday wd (1 = Monday) of the ISO week `weeks` after ref's (0: ref's). */
static ArdDay weekday_of_week(ArdDay ref, int weeks, int wd)
{
    return ref - (ard_day_weekday(ref) - 1) + 7 * weeks + (wd - 1);
}

static ArdDay month_end(ArdDay ref, int months)
{
    int y, m, d;
    ard_day_to_ymd(ref, &y, &m, &d);
    m += months;
    while (m > 12) {
        m -= 12;
        y++;
    }
    ArdDay out;
    ard_day_from_ymd(y, m, ard_days_in_month(y, m), &out);
    return out;
}

static ArdDay named_month_end(ArdDay ref, int m)
{
    int y, rm, rd;
    ard_day_to_ymd(ref, &y, &rm, &rd);
    ArdDay out;
    ard_day_from_ymd(y, m, ard_days_in_month(y, m), &out);
    if (out < ref)
        ard_day_from_ymd(y + 1, m, ard_days_in_month(y + 1, m), &out);
    return out;
}

static ArdDay add_business_days(ArdDay ref, int n)
{
    ArdDay d = ref;
    while (n > 0) {
        d++;
        if (ard_day_weekday(d) <= 5)
            n--;
    }
    return d;
}

/* ---- vocabulary (folded: casefolded, accents removed) ---- */

typedef struct { const char *w; int v; } WordVal;

static const WordVal months[] = {
    {"january",1},{"jan",1},{"januar",1},{"janner",1},{"janvier",1},{"enero",1},{"januari",1},
    {"february",2},{"feb",2},{"februar",2},{"fevrier",2},{"febrero",2},{"februari",2},
    {"march",3},{"mar",3},{"marz",3},{"mars",3},{"marzo",3},{"maart",3},{"mrt",3},
    {"april",4},{"apr",4},{"avril",4},{"abril",4},
    {"may",5},{"mai",5},{"mayo",5},{"mei",5},
    {"june",6},{"jun",6},{"juni",6},{"juin",6},{"junio",6},
    {"july",7},{"jul",7},{"juli",7},{"juillet",7},{"julio",7},
    {"august",8},{"aug",8},{"aout",8},{"agosto",8},{"augustus",8},
    {"september",9},{"sep",9},{"sept",9},{"septembre",9},{"septiembre",9},{"setiembre",9},
    {"october",10},{"oct",10},{"oktober",10},{"okt",10},{"octobre",10},{"octubre",10},
    {"november",11},{"nov",11},{"novembre",11},{"noviembre",11},
    {"december",12},{"dec",12},{"dezember",12},{"dez",12},{"decembre",12},{"diciembre",12},
    {NULL,0}
};

static const WordVal weekdays[] = {
    {"monday",1},{"montag",1},{"lundi",1},{"lunes",1},{"maandag",1},
    {"tuesday",2},{"dienstag",2},{"mardi",2},{"martes",2},{"dinsdag",2},
    {"wednesday",3},{"mittwoch",3},{"mercredi",3},{"miercoles",3},{"woensdag",3},
    {"thursday",4},{"donnerstag",4},{"jeudi",4},{"jueves",4},{"donderdag",4},
    {"friday",5},{"freitag",5},{"vendredi",5},{"viernes",5},{"vrijdag",5},
    {"saturday",6},{"samstag",6},{"sonnabend",6},{"samedi",6},{"sabado",6},{"zaterdag",6},
    {"sunday",7},{"sonntag",7},{"dimanche",7},{"domingo",7},{"zondag",7},
    {NULL,0}
};

static const WordVal numwords[] = {
    {"one",1},{"two",2},{"three",3},{"four",4},{"five",5},{"six",6},{"seven",7},
    {"eight",8},{"nine",9},{"ten",10},{"eleven",11},{"twelve",12},{"thirteen",13},
    {"fourteen",14},{"fifteen",15},{"sixteen",16},{"seventeen",17},{"eighteen",18},
    {"nineteen",19},{"twenty",20},{"thirty",30},
    {"eins",1},{"ein",1},{"einer",1},{"einem",1},{"eine",1},{"zwei",2},{"drei",3},
    {"vier",4},{"funf",5},{"sechs",6},{"sieben",7},{"acht",8},{"neun",9},{"zehn",10},
    {"elf",11},{"zwolf",12},{"vierzehn",14},{"funfzehn",15},{"zwanzig",20},{"dreissig",30},
    {"un",1},{"une",1},{"deux",2},{"trois",3},{"quatre",4},{"cinq",5},{"sept",7},
    {"huit",8},{"neuf",9},{"dix",10},{"onze",11},{"douze",12},{"quatorze",14},
    {"quinze",15},{"vingt",20},{"trente",30},
    {"uno",1},{"una",1},{"dos",2},{"tres",3},{"cuatro",4},{"cinco",5},{"seis",6},
    {"siete",7},{"ocho",8},{"nueve",9},{"diez",10},{"once",11},{"doce",12},
    {"catorce",14},{"quince",15},{"veinte",20},{"treinta",30},
    {"een",1},{"twee",2},{"drie",3},{"vijf",5},{"zes",6},{"zeven",7},
    {"negen",9},{"tien",10},{"twaalf",12},{"veertien",14},{"vijftien",15},
    {"twintig",20},{"dertig",30},
    {NULL,0}
};

static const char *const day_units[] = {
    "day", "days", "tag", "tage", "tagen", "jour", "jours", "dia", "dias",
    "dag", "dagen", NULL
};
static const char *const bday_units[] = {
    "werktage", "werktagen", "arbeitstage", "arbeitstagen", "werkdagen", NULL
};
static const char *const bday_mods[] = {
    "business", "working", "ouvres", "ouvrables", "habiles", "laborables", NULL
};
static const char *const week_units[] = {
    "week", "weeks", "woche", "wochen", "semaine", "semaines", "semana",
    "semanas", "weken", NULL
};
static const char *const span_prefix[] = {
    "in", "within", "innerhalb", "binnen", "sous", "dans", "ici", "en",
    "dentro", "plazo", "over", "next", "nachsten", "prochains", "proximos",
    "komende", "volgende", "about", "another", NULL
};
static const char *const next_words[] = {
    "next", "nachsten", "nachster", "nachste", "prochaine", "prochain",
    "proxima", "proximo", "volgende", "eerstvolgende", "kommenden", "siguiente", NULL
};
/* Words that may join a weekday and "next week": "Tuesday of next week",
 * "am Dienstag der nächsten Woche", "mardi de la semaine prochaine",
 * "el martes de la semana que viene", "volgende week op dinsdag". */
static const char *const week_links[] = {
    "on", "of", "the", "in", "am", "der", "de", "la", "le", "el", "op", "van", NULL
};
static const char *const suffixes[] = {
    "st", "nd", "rd", "th", "e", "er", "eme", "re", "o", "de", NULL
};
static const char *const dom_prefix[] = {
    "the", "le", "el", "am", "zum", "den", "op", "dia", "vor", "avant",
    "antes", "voor", "before", "by", "on", NULL
};
static const char *const not_after_num[] = {
    "days", "day", "weeks", "week", "months", "month", "years", "year",
    "hours", "hour", "h", "uhr", "min", "minutes", "tage", "tagen", "wochen",
    "jours", "jour", "semaines", "mois", "ans", "dias", "semanas", "meses",
    "dagen", "weken", "maanden", "jaar", "am", "pm", "percent", "prozent",
    "eur", "euro", "euros", "usd", "gbp", "chf", "x", "k", "items", "working",
    "business", "werktage", "werktagen", "werkdagen", "arbeitstage", "calendar", NULL
};

static int lookup(const FText *t, int i, const WordVal *tab)
{
    if (i < 0 || i >= ftext_n(t) || ftok(t, i)->kind != FT_WORD)
        return 0;
    const FTok *k = ftok(t, i);
    for (; tab->w; tab++)
        if (ftok_text_is(t, k, tab->w))
            return tab->v;
    return 0;
}

static bool is_punct(const FText *t, int i, char c)
{
    if (i < 0 || i >= ftext_n(t))
        return false;
    const FTok *k = ftok(t, i);
    return k->kind == FT_PUNCT && k->len == 1 && t->s[k->off] == c;
}

static bool is_num(const FText *t, int i)
{
    return i >= 0 && i < ftext_n(t) && ftok(t, i)->kind == FT_NUM;
}

static bool glued(const FText *t, int i)
{
    return i < ftext_n(t) && !ftok(t, i)->space;
}

/* A month name at i (with an optional abbreviation dot); returns the
 * month and sets *after. "may" and "mar" count only before or after a
 * number, which the callers ensure. */
static int month_at(const FText *t, int i, int *after)
{
    int m = lookup(t, i, months);
    if (m) {
        *after = i + 1;
        if (is_punct(t, i + 1, '.') && glued(t, i + 1))
            *after = i + 2;
    }
    return m;
}

static void add(GArray *c, ArdDay day, int start, int end, CKind kind)
{
    if (day == ARD_DAY_NONE)
        return;
    Cand x = { day, start, end, kind, false };
    g_array_append_val(c, x);
}

/* A year after a date: 4 digits, or 2 digits glued to a separator. */
static int year_at(const FText *t, int i, int *after)
{
    if (!is_num(t, i))
        return 0;
    const FTok *k = ftok(t, i);
    if (k->len == 4 && k->num >= 1990 && k->num <= 2100) {
        *after = i + 1;
        return k->num;
    }
    return 0;
}

/* Day-first unless the second number cannot be a month. */
static bool order_dm(int a, int b, int *d, int *m)
{
    if (b > 12 && a <= 12) {
        *m = a;
        *d = b;
    } else {
        *d = a;
        *m = b;
    }
    return *d >= 1 && *d <= 31 && *m >= 1 && *m <= 12;
}

static bool part_of_token(const FText *t, int i)
{
    /* A number glued to letters or to a separator after letters/digits is
     * part of an identifier (INV-12-05), not a date. */
    if (i == 0 || ftok(t, i)->space)
        return false;
    const FTok *p = ftok(t, i - 1);
    if (p->kind != FT_PUNCT)
        return true;
    char c = t->s[p->off];
    /* 08.09-15.09 and 2-6 are ranges, not identifiers. */
    if (c == '-' && i >= 2 && is_num(t, i - 2) && ftok(t, i - 2)->len <= 2)
        return false;
    if ((c == '-' || c == '/' || c == '.' || c == '_' || c == '#') && i >= 2 &&
        !p->space && ftok(t, i - 2)->kind != FT_PUNCT)
        return true;
    return c == '#' || c == '_';
}

/* Numeric dates: 15.12., 15/12/2026, 15-12, 12/15/2026, 2026-04-08. */
static int numeric_date(const FText *t, int i, ArdDay ref, GArray *c)
{
    int n = ftext_n(t);
    const FTok *a = ftok(t, i);
    if (i + 2 >= n || part_of_token(t, i))
        return 0;
    const FTok *s1 = ftok(t, i + 1), *b = ftok(t, i + 2);
    if (s1->kind != FT_PUNCT || s1->space || b->kind != FT_NUM || b->space)
        return 0;
    char sep = t->s[s1->off];
    if (sep != '.' && sep != '/' && sep != '-')
        return 0;
    int end = i + 3;
    int y = 0, d, m;
    if (a->len == 4 && sep == '-' && b->len == 2 && is_punct(t, i + 3, '-') &&
        glued(t, i + 3) && is_num(t, i + 4) && glued(t, i + 4) &&
        ftok(t, i + 4)->len == 2) {
        y = a->num;
        m = b->num;
        d = ftok(t, i + 4)->num;
        end = i + 5;
    } else {
        if (a->len > 2 || b->len > 2)
            return 0;
        if (is_punct(t, i + 3, sep) && glued(t, i + 3) && is_num(t, i + 4) &&
            glued(t, i + 4)) {
            const FTok *yk = ftok(t, i + 4);
            if (yk->len == 4)
                y = yk->num;
            else if (yk->len == 2)
                y = 2000 + yk->num;
            else
                return 0;
            end = i + 5;
        } else if (is_punct(t, i + 3, sep) && glued(t, i + 3)) {
            end = i + 4;    /* 15.12. */
        }
        if (!order_dm(a->num, b->num, &d, &m))
            return end;
    }
    /* Not a date when more digits or a decimal comma follow (1.12,50),
     * when a month name follows (2-6 April is a range) or a time unit. */
    if (end < n && glued(t, end) &&
        (ftok(t, end)->kind != FT_PUNCT || is_punct(t, end, ',') ||
         is_punct(t, end, '-') || is_punct(t, end, '/')) &&
        !(is_punct(t, end, ',') && !is_num(t, end + 1)))
        return end;
    int dummy;
    if (month_at(t, end, &dummy) || ftok_in(t, end, not_after_num))
        return 0;
    ArdDay out;
    if (y) {
        if (!ard_day_from_ymd(y, m, d, &out))
            return end;
    } else {
        out = next_dm(ref, d, m);
    }
    add(c, out, i, end, C_DATE);
    if (!y && c->len && g_array_index(c, Cand, c->len - 1).start == i)
        g_array_index(c, Cand, c->len - 1).yearless = true;
    return end;
}

/* 15 December, 15. Dezember, 3rd of March, el 5 de abril, 1er mars. */
static int day_month(const FText *t, int i, ArdDay ref, GArray *c)
{
    const FTok *a = ftok(t, i);
    if (a->len > 2 || a->num < 1 || a->num > 31 || part_of_token(t, i))
        return 0;
    int j = i + 1;
    if (glued(t, j) && (ftok_in(t, j, suffixes) || is_punct(t, j, '.')))
        j++;
    if (ftok_is(t, j, "of") || ftok_is(t, j, "de"))
        j++;
    int after, m = month_at(t, j, &after);
    if (!m)
        return 0;
    int y = 0;
    if (is_punct(t, after, ','))
        y = year_at(t, after + 1, &after);
    else
        y = year_at(t, after, &after);
    if (!y && ftok_is(t, after, "de"))
        y = year_at(t, after + 1, &after);
    ArdDay out;
    if (y) {
        if (!ard_day_from_ymd(y, m, a->num, &out))
            return after;
    } else {
        out = next_dm(ref, a->num, m);
    }
    add(c, out, i, after, C_DATE);
    if (!y && c->len && g_array_index(c, Cand, c->len - 1).start == i)
        g_array_index(c, Cand, c->len - 1).yearless = true;
    return after;
}

/* December 15th, June 2, July 15, 2026. */
static int month_day(const FText *t, int i, int m, int after, ArdDay ref, GArray *c)
{
    int j = after;
    if (is_punct(t, j, ','))
        j++;
    if (!is_num(t, j) || ftok(t, j)->len > 2 || part_of_token(t, j))
        return 0;
    int d = ftok(t, j)->num;
    if (d < 1 || d > 31)
        return 0;
    int k = j + 1;
    if (glued(t, k) && ftok_in(t, k, suffixes))
        k++;
    if (ftok_in(t, k, not_after_num) || (is_punct(t, k, '.') && glued(t, k) && is_num(t, k + 1)) ||
        (is_punct(t, k, ',') && glued(t, k) && is_num(t, k + 1) && glued(t, k + 1)))
        return 0;
    int y = 0;
    if (is_punct(t, k, ','))
        y = year_at(t, k + 1, &k);
    else
        y = year_at(t, k, &k);
    ArdDay out;
    if (y) {
        if (!ard_day_from_ymd(y, m, d, &out))
            return k;
    } else {
        out = next_dm(ref, d, m);
    }
    add(c, out, i, k, C_DATE);
    if (!y && c->len && g_array_index(c, Cand, c->len - 1).start == i)
        g_array_index(c, Cand, c->len - 1).yearless = true;
    return k;
}

/* the 15th, am 15., le 15, el 15. */
static int day_only(const FText *t, int i, ArdDay ref, GArray *c)
{
    const FTok *a = ftok(t, i);
    if (a->len > 2 || a->num < 1 || a->num > 31 || part_of_token(t, i))
        return 0;
    int j = i + 1;
    bool suffix = glued(t, j) && ftok_in(t, j, suffixes) && !ftok_is(t, j, "de");
    if (suffix)
        j++;
    bool prefix = ftok_in(t, i - 1, dom_prefix) || lookup(t, i - 1, weekdays);
    if (!suffix && !prefix)
        return 0;
    if (!suffix && !ftok_is(t, i - 1, "the") && !ftok_is(t, i - 1, "am") &&
        !ftok_is(t, i - 1, "zum") && !ftok_is(t, i - 1, "le") &&
        !ftok_is(t, i - 1, "el") && !ftok_is(t, i - 1, "dia") &&
        !lookup(t, i - 1, weekdays))
        return 0;
    if (j < ftext_n(t)) {
        const FTok *nx = ftok(t, j);
        if (nx->kind == FT_NUM || ftok_in(t, j, not_after_num) ||
            (nx->kind == FT_PUNCT && strchr("%:,/-", t->s[nx->off]) && glued(t, j) &&
             !is_punct(t, j, ',')))
            return 0;
        if (nx->kind == FT_PUNCT && strchr("%$", t->s[nx->off]))
            return 0;
        if (nx->kind == FT_PUNCT && !g_ascii_isprint(t->s[nx->off]))
            return 0;   /* €, £ */
    }
    add(c, next_dom(ref, a->num), i, j, C_DOM);
    return j;
}

/* in 10 days, within 5 working days, in zwei Wochen, sous 10 jours. */
static int span(const FText *t, int i, int n, ArdDay ref, GArray *c)
{
    bool pre = false;
    for (int k = 1; k <= 3 && !pre; k++)
        if (ftok_in(t, i - k, span_prefix))
            pre = true;
    if (!pre)
        return 0;
    int j = i + 1;
    bool business = false;
    if (ftok_in(t, j, bday_mods)) {
        business = true;
        j++;
    }
    if (ftok_in(t, j, day_units)) {
        if (ftok_in(t, j + 1, bday_mods))
            business = true;
        add(c, business ? add_business_days(ref, n) : ref + n, i, j + 1, C_SPAN);
        return j + 1;
    }
    if (ftok_in(t, j, bday_units)) {
        add(c, add_business_days(ref, n), i, j + 1, C_SPAN);
        return j + 1;
    }
    if (ftok_in(t, j, week_units)) {
        add(c, ref + 7 * n, i, j + 1, C_SPAN);
        return j + 1;
    }
    return 0;
}

typedef enum { P_DAYS, P_WEEK, P_MONTH_END, P_MONTH_NAMED_END, P_RUN } PKind;
typedef struct { const char *p; PKind k; int v; } Phrase;

/* Longer phrases first where one begins another. */
static const Phrase phrases[] = {
    {"day after tomorrow", P_DAYS, 2}, {"apres demain", P_DAYS, 2},
    {"pasado manana", P_DAYS, 2}, {"ubermorgen", P_DAYS, 2}, {"overmorgen", P_DAYS, 2},
    {"today", P_DAYS, 0}, {"tonight", P_DAYS, 0}, {"this afternoon", P_DAYS, 0},
    {"this evening", P_DAYS, 0}, {"end of day", P_DAYS, 0}, {"end of today", P_DAYS, 0},
    {"heute", P_DAYS, 0}, {"aujourd hui", P_DAYS, 0}, {"ce soir", P_DAYS, 0},
    {"cet apres midi", P_DAYS, 0}, {"hoy", P_DAYS, 0}, {"esta noche", P_DAYS, 0},
    {"esta tarde", P_DAYS, 0}, {"vandaag", P_DAYS, 0}, {"vanavond", P_DAYS, 0},
    {"vanmiddag", P_DAYS, 0},
    {"tomorrow", P_DAYS, 1}, {"tmrw", P_DAYS, 1}, {"tmr", P_DAYS, 1}, {"tomoz", P_DAYS, 1},
    {"demain", P_DAYS, 1}, {"manana", P_DAYS, 1}, {"morgen", P_DAYS, 1},
    {"morgenochtend", P_DAYS, 1}, {"morgenvroeg", P_DAYS, 1}, {"morgenmiddag", P_DAYS, 1},
    {"end of next week", P_WEEK, 1}, {"next week", P_WEEK, 1},
    {"nachste woche", P_WEEK, 1}, {"nachster woche", P_WEEK, 1},
    {"nachsten woche", P_WEEK, 1}, {"kommende woche", P_WEEK, 1},
    {"kommenden woche", P_WEEK, 1}, {"semaine prochaine", P_WEEK, 1},
    {"proxima semana", P_WEEK, 1}, {"semana que viene", P_WEEK, 1},
    {"semana proxima", P_WEEK, 1}, {"volgende week", P_WEEK, 1},
    {"komende week", P_WEEK, 1},
    {"end of the week", P_WEEK, 0}, {"end of this week", P_WEEK, 0},
    {"end of week", P_WEEK, 0}, {"this week", P_WEEK, 0}, {"later this week", P_WEEK, 0},
    {"diese woche", P_WEEK, 0}, {"dieser woche", P_WEEK, 0},
    {"ende der woche", P_WEEK, 0}, {"ende dieser woche", P_WEEK, 0},
    {"cette semaine", P_WEEK, 0}, {"fin de semaine", P_WEEK, 0},
    {"fin de la semaine", P_WEEK, 0}, {"fin de cette semaine", P_WEEK, 0},
    {"esta semana", P_WEEK, 0}, {"finales de semana", P_WEEK, 0},
    {"finales de esta semana", P_WEEK, 0}, {"final de semana", P_WEEK, 0},
    {"deze week", P_WEEK, 0}, {"eind van de week", P_WEEK, 0},
    {"einde van de week", P_WEEK, 0}, {"eind deze week", P_WEEK, 0},
    {"eind van deze week", P_WEEK, 0}, {"einde van deze week", P_WEEK, 0},
    {"end of next month", P_MONTH_END, 1}, {"end of the following month", P_MONTH_END, 1},
    {"end of the next month", P_MONTH_END, 1},
    {"end of the month", P_MONTH_END, 0}, {"end of this month", P_MONTH_END, 0},
    {"end of month", P_MONTH_END, 0}, {"by month end", P_MONTH_END, 0},
    {"ende des nachsten monats", P_MONTH_END, 1}, {"ende nachsten monats", P_MONTH_END, 1},
    {"ende nachsten monat", P_MONTH_END, 1}, {"ende nachster monat", P_MONTH_END, 1},
    {"ende kommenden monats", P_MONTH_END, 1}, {"ende des kommenden monats", P_MONTH_END, 1},
    {"ende des monats", P_MONTH_END, 0}, {"ende dieses monats", P_MONTH_END, 0},
    {"monatsende", P_MONTH_END, 0}, {"ende des monat", P_MONTH_END, 0},
    {"fin du mois prochain", P_MONTH_END, 1}, {"fin du mois suivant", P_MONTH_END, 1},
    {"fin du mois", P_MONTH_END, 0}, {"fin de mois", P_MONTH_END, 0},
    {"fin de ce mois", P_MONTH_END, 0},
    {"finales del mes que viene", P_MONTH_END, 1}, {"finales del proximo mes", P_MONTH_END, 1},
    {"final del mes que viene", P_MONTH_END, 1}, {"fin del mes que viene", P_MONTH_END, 1},
    {"fin del proximo mes", P_MONTH_END, 1}, {"final del proximo mes", P_MONTH_END, 1},
    {"finales de mes", P_MONTH_END, 0}, {"finales del mes", P_MONTH_END, 0},
    {"fin de mes", P_MONTH_END, 0}, {"fin del mes", P_MONTH_END, 0},
    {"final de mes", P_MONTH_END, 0}, {"final del mes", P_MONTH_END, 0},
    {"finales de este mes", P_MONTH_END, 0},
    {"eind volgende maand", P_MONTH_END, 1}, {"eind van volgende maand", P_MONTH_END, 1},
    {"einde volgende maand", P_MONTH_END, 1}, {"eind van de volgende maand", P_MONTH_END, 1},
    {"einde van volgende maand", P_MONTH_END, 1},
    {"eind van de maand", P_MONTH_END, 0}, {"einde van de maand", P_MONTH_END, 0},
    {"eind deze maand", P_MONTH_END, 0}, {"eind van deze maand", P_MONTH_END, 0},
    {"einde deze maand", P_MONTH_END, 0}, {"eind maand", P_MONTH_END, 0},
    {"einde maand", P_MONTH_END, 0},
    {"the end of", P_MONTH_NAMED_END, 0}, {"end of", P_MONTH_NAMED_END, 0},
    {"ende", P_MONTH_NAMED_END, 0}, {"fin de", P_MONTH_NAMED_END, 0},
    {"fin d", P_MONTH_NAMED_END, 0}, {"fin", P_MONTH_NAMED_END, 0},
    {"finales de", P_MONTH_NAMED_END, 0}, {"final de", P_MONTH_NAMED_END, 0},
    {"eind van", P_MONTH_NAMED_END, 0}, {"eind", P_MONTH_NAMED_END, 0},
    {"einde", P_MONTH_NAMED_END, 0},
    {"payment run", P_RUN, 0}, {"pay run", P_RUN, 0}, {"payment cycle", P_RUN, 0},
    {"payment batch", P_RUN, 0}, {"zahlungslauf", P_RUN, 0}, {"zahllauf", P_RUN, 0},
    {"campagne de paiement", P_RUN, 0}, {"campagne de paiements", P_RUN, 0},
    {"cycle de paiement", P_RUN, 0}, {"remesa", P_RUN, 0},
    {"remesa de pagos", P_RUN, 0}, {"betaalrun", P_RUN, 0}, {"betalingsrun", P_RUN, 0},
    {"betaalronde", P_RUN, 0}, {"corrida de pagos", P_RUN, 0},
    {NULL, 0, 0}
};

/* "next week" and its kin, but not "end of next week": that one names the
 * week's Friday and takes no weekday. */
static bool plain_next_week(const Phrase *p)
{
    return p->k == P_WEEK && p->v == 1 && strncmp(p->p, "end ", 4) != 0;
}

/* Index after a plain "next week" phrase at i, else -1. */
static int next_week_at(const FText *t, int i)
{
    char first = t->s[ftok(t, i)->off];
    for (const Phrase *p = phrases; p->p; p++) {
        int e = p->p[0] == first && plain_next_week(p) ? fphrase(t, i, p->p) : -1;
        if (e >= 0)
            return e;
    }
    return -1;
}

/* The token after at most three linking words or commas from i, or -1
 * when the sentence ends first: a weekday and "next week" pair up only
 * within one sentence. */
static int skip_links(const FText *t, int i)
{
    int n = ftext_n(t);
    for (int k = 0; k < 3 && i < n && !ftok(t, i)->brk &&
                    (ftok_in(t, i, week_links) || is_punct(t, i, ',')); k++)
        i++;
    return i < n && !ftok(t, i)->brk ? i : -1;
}

/* Index of a day of the month after the weekday at i ("Monday 2 March",
 * "Wednesday, 7th"), else 0: that date then decides. */
static int date_after(const FText *t, int i)
{
    int j = i + 1;
    if (is_punct(t, j, ','))
        j++;
    return is_num(t, j) && ftok(t, j)->num <= 31 && ftok(t, j)->len <= 2 ? j : 0;
}

/* "next week on Tuesday", "nächste Woche Dienstag": the weekday of the
 * following week, one candidate for both. Returns the index after the
 * weekday, or 0 when no weekday follows. */
static int next_week_then_weekday(const FText *t, int i, int e, ArdDay ref, GArray *c)
{
    int w = skip_links(t, e);
    int wd = w < 0 ? 0 : lookup(t, w, weekdays);
    if (!wd || date_after(t, w))
        return 0;
    add(c, weekday_of_week(ref, 1, wd), i, w + 1, C_WEEKDAY);
    return w + 1;
}

static int phrase_at(const FText *t, int i, ArdDay ref, int payrun, GArray *c)
{
    const FTok *k = ftok(t, i);
    char first = t->s[k->off];
    for (const Phrase *p = phrases; p->p; p++) {
        if (p->p[0] != first)
            continue;
        int e = fphrase(t, i, p->p);
        if (e < 0)
            continue;
        switch (p->k) {
        case P_DAYS:
            if (ftok_is(t, i, "manana") &&
                (ftok_is(t, i - 1, "la") || ftok_is(t, i - 1, "esta")))
                return e;   /* "por la mañana" is the morning */
            if (ftok_is(t, i, "morgen") &&
                (ftok_is(t, i - 1, "guten") || ftok_is(t, i - 1, "heute") ||
                 ftok_is(t, i - 1, "goede")))
                return e;
            add(c, ref + p->v, i, e, C_REL);
            return e;
        case P_WEEK: {
            int w = plain_next_week(p) ? next_week_then_weekday(t, i, e, ref, c) : 0;
            if (w)
                return w;
            if (p->v == 0 && ard_day_weekday(ref) >= 6)
                add(c, weekday_of_week(ref, 1, 5), i, e, C_PERIOD);
            else
                add(c, weekday_of_week(ref, p->v, 5), i, e, C_PERIOD);
            return e;
        }
        case P_MONTH_END:
            add(c, month_end(ref, p->v), i, e, C_PERIOD);
            return e;
        case P_MONTH_NAMED_END: {
            int after, m = month_at(t, e, &after);
            if (!m || is_num(t, after))
                continue;
            add(c, named_month_end(ref, m), i, after, C_PERIOD);
            return after;
        }
        case P_RUN:
            for (int b = 1; b <= 3; b++)
                if (ftok_in(t, i - b, next_words)) {
                    add(c, next_weekday(ref, payrun), i - b, e, C_RUN);
                    break;
                }
            return e;
        }
    }
    return 0;
}

/* A weekday at i: the first one after ref, or with "next week" after it
 * ("Tuesday next week", "el martes de la semana que viene") the one of the
 * following week. Returns the index after what it read. */
static int weekday_at(const FText *t, int i, int wd, ArdDay ref, GArray *c)
{
    int j = date_after(t, i);
    if (j)
        return j;
    int w = skip_links(t, i + 1);
    int e = w < 0 ? -1 : next_week_at(t, w);
    if (e > 0) {
        add(c, weekday_of_week(ref, 1, wd), i, e, C_WEEKDAY);
        return e;
    }
    add(c, next_weekday(ref, wd), i, i + 1, C_WEEKDAY);
    return i + 1;
}

static void scan(const FText *t, ArdDay ref, int payrun, GArray *c)
{
    int n = ftext_n(t);
    for (int i = 0; i < n;) {
        const FTok *k = ftok(t, i);
        int e = 0;
        if (k->kind == FT_NUM) {
            if ((e = numeric_date(t, i, ref, c)) == 0 &&
                (e = day_month(t, i, ref, c)) == 0 &&
                (e = span(t, i, k->num, ref, c)) == 0)
                e = day_only(t, i, ref, c);
        } else if (k->kind == FT_WORD) {
            int after, m = month_at(t, i, &after), v;
            if (m)
                e = month_day(t, i, m, after, ref, c);
            if (!e && (v = lookup(t, i, weekdays)) != 0)
                e = weekday_at(t, i, v, ref, c);
            if (!e && (v = lookup(t, i, numwords)) != 0)
                e = span(t, i, v, ref, c);
            if (!e && (ftok_is(t, i, "a") || ftok_is(t, i, "une") ||
                       ftok_is(t, i, "una") || ftok_is(t, i, "een") ||
                       ftok_is(t, i, "eine")) && ftok_in(t, i + 1, week_units))
                e = span(t, i, 1, ref, c);
            if (!e)
                e = phrase_at(t, i, ref, payrun, c);
        }
        i = e > i ? e : i + 1;
    }
}

/* ---- choosing ---- */

static const char *const commit_cues[] = {
    "will", "ll", "shall", "going", "gonna", "pay", "paying", "paid", "payment",
    "transfer", "settle", "settled", "send", "sending", "scheduled", "schedule",
    "released", "release", "initiated", "processed", "process", "go", "goes",
    "expect", "clear", "make", "made", "have", "get", "funds", "money", "due",
    "booked", "entered", "follow", "approves", "date",
    "zahlen", "zahle", "zahlt", "bezahlen", "bezahlt", "begleichen", "uberweisen",
    "uberweise", "uberweisung", "uberwiesen", "zahlung", "wird", "werden",
    "erfolgt", "ausgeglichen", "raus", "kommt", "bekommen", "geld",
    "eingeplant", "avisiert", "angewiesen", "anweisen", "zahlungslauf", "ausgleichung",
    "payer", "paye", "payons", "paierons", "paierai", "paiement", "reglerons",
    "reglerai", "regler", "regle", "reglement", "reglee", "virement", "sera",
    "serez", "part", "partira", "payee", "payes", "honoree", "emis", "prevu",
    "programme", "aurez", "mets", "paye",
    "pagar", "pagaremos", "pagare", "pagamos", "paga", "pago", "pagara",
    "abonar", "abonara", "abonaremos", "abonada", "transferencia", "saldra",
    "sale", "programado", "previsto", "hago", "hare", "atendida", "paga",
    "betalen", "betaal", "betaald", "betaling", "overmaken", "maak", "voldaan",
    "voldoen", "wordt", "zal", "zullen", "gaat", "volgt", "gepland", "ingepland",
    "krijgen", "staat", "uiterlijk", "spatestens",
    NULL
};
static const char *const past_cues[] = {
    "paid", "transferred", "sent", "wired", "remitted", "bezahlt", "gezahlt",
    "uberwiesen", "pagado", "transferido",
    "enviado", "betaald", "overgemaakt", "voldaan", "payed", NULL
};
static const char *const future_cues[] = {
    "will", "ll", "shall", "going", "gonna", "wird", "werden", "werde", "sera",
    "seront", "serons", "va", "vais", "allons", "vamos", "voy", "zal", "zullen",
    "wordt", "be", "est", "is", "ist", "to", "being", "gets", "get", NULL
};
static const char *const away_cues[] = {
    "back", "return", "returns", "returning", "zuruck", "wieder", "rentre",
    "retour", "vuelve", "vuelta", "regresa", "terug", "reopens", "reopen", NULL
};
static const char *const return_cues[] = {
    "back", "return", "returns", "returning", "reopen", "reopens", "respond",
    "reply", "available", "zuruck", "wieder", "ab", "erreichbar", "retour",
    "rentre", "reviens", "repondrai", "volvere", "vuelta", "regreso", "vuelvo",
    "estare", "reincorporo", "responder", "contestare", "terug", "weer",
    "vanaf", "beantwoorden", "bereikbaar", "office", "kantoor", "bureau",
    "oficina", "buro", "dienst", "desk", "from", "on", "volvemos", "reouverture",
    "reapertura", "contesto", "reponds", "aanwezig", "heropend", NULL
};
/* Words after a day that make it a return: "Maandag ben ik terug". */
static const char *const return_after[] = {
    "weer", "wieder", "terug", "zuruck", "back", "retour", "aanwezig", NULL
};
static const char *const until_cues[] = {
    "until", "till", "til", "through", "thru", "bis", "jusqu", "hasta", "al",
    "tot", "inclusive", "inclus", "incluido", "einschliesslich", "met",
    "au", "a", NULL
};

/* Words that put a day in the past ("paid on", "wurde am", "ya ... el")
 * or in the future ("will be paid on"); the nearest before the day wins. */
static const char *const done_words[] = {
    "transferred", "sent", "went", "gone", "left", "cleared", "wired",
    "remitted", "debited", "collected", "cashed", "mailed", "posted", "made",
    "done", "initiated", "processed", "released", "included", "settled",
    "paid", "was", "were", "been", "already", "yesterday", "ago", "confirmed",
    "dated", "received",
    "bereits", "schon", "wurde", "wurden", "bezahlt", "uberwiesen", "beglichen",
    "erfolgte", "ausgefuhrt", "abgegangen", "rausgegangen", "eingegangen",
    "geleistet", "angewiesen", "gestern", "vom",
    "deja", "payee", "reglee", "vire", "parti", "effectue",
    "encaisse", "envoye", "libere", "avons", "ete", "hier", "depuis",
    "pagado", "pagada", "abonada", "realizada", "realizado", "transferido",
    "transfirio", "enviamos", "salio", "cobro", "compenso", "hemos",
    "ayer",
    "betaald", "overgemaakt", "voldaan", "afgeschreven", "uitgevoerd", "verricht",
    "verstuurd", "gisteren", "gegaan", NULL
};
static const char *const todo_words[] = {
    "will", "ll", "shall", "going", "gonna", "be", "should", "to", "wird",
    "werden", "werde", "sera", "seront", "serons", "serez", "va", "vais",
    "allons", "vamos", "voy", "van", "zal", "zullen", "wordt", "worden", "ga",
    "gaan", "gaat", "once", "sobald", "pagaremos", "pagare", "payerons",
    "paierons", "paierai", "reglerons", "reglerai", "abonaremos", "overmaken",
    "betalen", "betaal", "uberweisen", "uberweise", "begleichen", "zahlen", "zahle",
    "pay", "paying", "payer", "pagar", "scheduled", "planned", "geplant",
    "eingeplant", "prevu", "programme", "previsto", "programado", "gepland",
    "ingepland", "due", "expect", "can", "could", "kann", "follow", "volgt",
    "erfolgt", "part", "partira", "sale", "saldra", "hago", "hare", "maak",
    "being", "get", "gets", "getting", "it", "se", NULL
};
static const char *const last_words[] = {
    "last", "dernier", "derniere", "pasado", "pasada", "ago", "vorige",
    "letzten", "letzte", "vergangenen", NULL
};

static bool in_past(const FText *t, const Cand *c, int cs)
{
    if (ftok_in(t, c->end, last_words) || ftok_in(t, c->end + 1, last_words) ||
        ftok_in(t, c->start - 1, last_words))
        return true;
    for (int i = c->start - 1; i >= cs && i >= c->start - 12; i--) {
        if (ftok_in(t, i, todo_words))
            return false;
        if (ftok_in(t, i, done_words)) {
            /* "will be paid", "wird überwiesen": a participle after a
             * future auxiliary is still a promise. */
            for (int j = i - 1; j >= cs && j >= i - 3; j--)
                if (ftok_in(t, j, todo_words))
                    return false;
            return true;
        }
    }
    return false;
}

static int clause_start(const FText *t, int i)
{
    while (i > 0 && !ftok(t, i)->brk)
        i--;
    return i;
}

static int clause_end(const FText *t, int i)
{
    int n = ftext_n(t);
    i++;
    while (i < n && !ftok(t, i)->brk)
        i++;
    return i;
}

static int promise_score(const FText *t, const Cand *c)
{
    int cs = clause_start(t, c->start), ce = clause_end(t, c->end - 1);
    int score = 0;
    int best = 1000;
    bool future = false, past = false;
    for (int i = cs; i < ce; i++) {
        if (i >= c->start && i < c->end)
            continue;
        if (ftok_in(t, i, commit_cues)) {
            int d = i < c->start ? c->start - i : i - c->end + 1;
            if (d < best)
                best = d;
        }
        if (i < c->start && ftok_in(t, i, future_cues))
            future = true;
        if (i < c->start && c->start - i <= 5 && ftok_in(t, i, past_cues))
            past = true;
    }
    if (best < 1000)
        score += 6 - (best > 5 ? 5 : best - 0) / 2;
    if (past && !future)
        score -= 8;
    for (int i = c->start - 1; i >= cs && i >= c->start - 4; i--)
        if (ftok_in(t, i, away_cues))
            score -= 4;
    switch (c->kind) {
    case C_DATE: score += 3; break;
    case C_DOM: case C_WEEKDAY: case C_RUN: score += 2; break;
    default: score += 1; break;
    }
    return score;
}

static ArdDay pick_promise(const FText *t, GArray *cands, ArdDay ref)
{
    int best = -1000;
    ArdDay day = ARD_DAY_NONE;
    for (guint i = 0; i < cands->len; i++) {
        const Cand *c = &g_array_index(cands, Cand, i);
        /* "paid on 28 April" written in May resolves to next April; a
         * yearless day that recent in the past is a report, not a promise. */
        if (c->day < ref || (c->yearless && c->day - ref > 305) ||
            in_past(t, c, clause_start(t, c->start)))
            continue;
        int s = promise_score(t, c);
        if (s > best) {
            best = s;
            day = c->day;
        }
    }
    return best > -4 ? day : ARD_DAY_NONE;
}

static ArdDay pick_return(const FText *t, GArray *cands, ArdDay ref)
{
    int best = -1;
    ArdDay day = ARD_DAY_NONE;
    for (guint i = 0; i < cands->len; i++) {
        const Cand *c = &g_array_index(cands, Cand, i);
        if (c->day < ref || c->kind == C_SPAN || c->kind == C_RUN)
            continue;
        int cs = clause_start(t, c->start), s = 0;
        for (int j = c->start - 1; j >= cs && j >= c->start - 6; j--) {
            if (ftok_in(t, j, return_cues) && s < 2)
                s = 2;
            else if (ftok_in(t, j, until_cues) && s < 1)
                s = 1;
        }
        int ce = clause_end(t, c->end - 1);
        for (int j = c->end; j < ce && j < c->end + 5; j++)
            if (ftok_in(t, j, return_after))
                s = 2;
        if (c->kind == C_PERIOD || (s == 0 && c->kind != C_DATE))
            continue;
        if (s > best || (s == best && c->day > day)) {
            best = s;
            day = c->day;
        }
    }
    return day;
}

/* One scan for both dates: the pay-run weekday only dates C_RUN
 * candidates, which the return date never takes. */
void facts_dates_ft(const FText *t, ArdDay ref, int payrun, ArdDay *promise, ArdDay *back)
{
    if (payrun < 1 || payrun > 7)
        payrun = 5;
    GArray *c = g_array_new(FALSE, FALSE, sizeof(Cand));
    scan(t, ref, payrun, c);
    *promise = pick_promise(t, c, ref);
    *back = pick_return(t, c, ref);
    g_array_free(c, TRUE);
}

/* Both dates of a text, for the readers that want one of them. */
static void dates_of(const char *text, ArdDay ref, int payrun, ArdDay *promise, ArdDay *back)
{
    FText t;
    ftext_init(&t, text);
    facts_dates_ft(&t, ref, payrun, promise, back);
    ftext_clear(&t);
}

ArdDay ard_facts_promise_date(const char *text, const char *lang, ArdDay ref,
                              int payrun_weekday)
{
    (void)lang;
    if (text == NULL || ref == ARD_DAY_NONE)
        return ARD_DAY_NONE;
    ArdDay promise, back;
    dates_of(text, ref, payrun_weekday, &promise, &back);
    return promise;
}

ArdDay ard_facts_return_date(const char *text, const char *lang, ArdDay ref)
{
    (void)lang;
    if (text == NULL || ref == ARD_DAY_NONE)
        return ARD_DAY_NONE;
    ArdDay promise, back;
    dates_of(text, ref, 5, &promise, &back);
    return back;
}
