/* Exact money: decimal text <-> integer minor units, and the ISO 4217 table.
 * Must never pass an amount through a double and never round silently. */
#include "money.h"
#include <stdio.h>
#include <string.h>

/* Active ISO 4217 codes (2024 list) with their minor-unit digits. Kept here
 * because neither GLib nor another Debian library ships the table. */
static const struct { char code[4]; signed char exp; } currencies[] = {
    {"AED",2},{"AFN",2},{"ALL",2},{"AMD",2},{"ANG",2},{"AOA",2},{"ARS",2},
    {"AUD",2},{"AWG",2},{"AZN",2},{"BAM",2},{"BBD",2},{"BDT",2},{"BGN",2},
    {"BHD",3},{"BIF",0},{"BMD",2},{"BND",2},{"BOB",2},{"BRL",2},{"BSD",2},
    {"BTN",2},{"BWP",2},{"BYN",2},{"BZD",2},{"CAD",2},{"CDF",2},{"CHF",2},
    {"CLP",0},{"CNY",2},{"COP",2},{"CRC",2},{"CUP",2},{"CVE",2},{"CZK",2},
    {"DJF",0},{"DKK",2},{"DOP",2},{"DZD",2},{"EGP",2},{"ERN",2},{"ETB",2},
    {"EUR",2},{"FJD",2},{"FKP",2},{"GBP",2},{"GEL",2},{"GHS",2},{"GIP",2},
    {"GMD",2},{"GNF",0},{"GTQ",2},{"GYD",2},{"HKD",2},{"HNL",2},{"HTG",2},
    {"HUF",2},{"IDR",2},{"ILS",2},{"INR",2},{"IQD",3},{"IRR",2},{"ISK",0},
    {"JMD",2},{"JOD",3},{"JPY",0},{"KES",2},{"KGS",2},{"KHR",2},{"KMF",0},
    {"KPW",2},{"KRW",0},{"KWD",3},{"KYD",2},{"KZT",2},{"LAK",2},{"LBP",2},
    {"LKR",2},{"LRD",2},{"LSL",2},{"LYD",3},{"MAD",2},{"MDL",2},{"MGA",2},
    {"MKD",2},{"MMK",2},{"MNT",2},{"MOP",2},{"MRU",2},{"MUR",2},{"MVR",2},
    {"MWK",2},{"MXN",2},{"MYR",2},{"MZN",2},{"NAD",2},{"NGN",2},{"NIO",2},
    {"NOK",2},{"NPR",2},{"NZD",2},{"OMR",3},{"PAB",2},{"PEN",2},{"PGK",2},
    {"PHP",2},{"PKR",2},{"PLN",2},{"PYG",0},{"QAR",2},{"RON",2},{"RSD",2},
    {"RUB",2},{"RWF",0},{"SAR",2},{"SBD",2},{"SCR",2},{"SDG",2},{"SEK",2},
    {"SGD",2},{"SHP",2},{"SLE",2},{"SOS",2},{"SRD",2},{"SSP",2},{"STN",2},
    {"SVC",2},{"SYP",2},{"SZL",2},{"THB",2},{"TJS",2},{"TMT",2},{"TND",3},
    {"TOP",2},{"TRY",2},{"TTD",2},{"TWD",2},{"TZS",2},{"UAH",2},{"UGX",0},
    {"USD",2},{"UYU",2},{"UZS",2},{"VES",2},{"VND",0},{"VUV",0},{"WST",2},
    {"XAF",0},{"XCD",2},{"XOF",0},{"XPF",0},{"YER",2},{"ZAR",2},{"ZMW",2},
    {"ZWL",2},
};

/* The three letters as one number: the table's alphabetical order is the
 * numbers' order, and a compare is one instruction instead of a strcmp (an
 * import looks up two currencies per row). */
static uint32_t code_key(const char *code)
{
    const unsigned char *c = (const unsigned char *)code;
    return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
}

int ard_currency_exponent(const char *code)
{
    if (code == NULL || !code[0] || !code[1] || !code[2] || code[3])
        return -1;
    uint32_t key = code_key(code);
    size_t lo = 0, hi = sizeof currencies / sizeof currencies[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t k = code_key(currencies[mid].code);
        if (k == key)
            return currencies[mid].exp;
        if (key < k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

bool ard_money_parse(const char *text, const char *currency, int64_t *minor,
                     const char **why)
{
    int exp = ard_currency_exponent(currency);
    if (exp < 0) {
        *why = "unknown currency code";
        return false;
    }
    const char *p = text;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (*p == '\0' || *p == '.') {
        *why = "not an amount (expected digits such as 1234.50)";
        return false;
    }
    int64_t units = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (units > (INT64_MAX / 1000 - 9) / 10) {
            *why = "amount too large";
            return false;
        }
        units = units * 10 + (*p - '0');
    }
    int64_t frac = 0;
    int nfrac = 0;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) {
            *why = "not an amount (digits must follow the decimal point)";
            return false;
        }
        for (; *p >= '0' && *p <= '9'; p++) {
            if (nfrac < exp) {
                frac = frac * 10 + (*p - '0');
                nfrac++;
            } else if (*p != '0') {
                *why = "more decimal places than the currency has";
                return false;
            }
        }
    }
    if (*p != '\0') {
        *why = "not an amount (only digits, '-' and '.' are allowed)";
        return false;
    }
    for (; nfrac < exp; nfrac++)
        frac *= 10;
    int64_t scale = 1;
    for (int i = 0; i < exp; i++)
        scale *= 10;
    int64_t v = units * scale + frac;
    *minor = neg ? -v : v;
    return true;
}

/* Digits are written backwards into a scratch buffer and then turned
 * around: snprintf showed up in every imported payment's event text. */
static void format(int64_t minor, const char *currency, bool group, char *buf,
                   size_t len)
{
    int exp = ard_currency_exponent(currency);
    if (exp < 0)
        exp = 2;
    uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char t[48];   /* 20 digits, 6 commas, the point, the sign */
    size_t n = 0;
    for (int i = 0; i < exp; i++, a /= 10)
        t[n++] = (char)('0' + a % 10);
    if (exp > 0)
        t[n++] = '.';
    for (int k = 0; k == 0 || a > 0; k++, a /= 10) {
        if (group && k > 0 && k % 3 == 0)
            t[n++] = ',';
        t[n++] = (char)('0' + a % 10);
    }
    if (minor < 0)
        t[n++] = '-';
    size_t j = 0;
    while (n > 0 && j + 1 < len)
        buf[j++] = t[--n];
    if (len > 0)
        buf[j] = '\0';
}

void ard_money_plain(int64_t minor, const char *currency, char *buf, size_t len)
{
    format(minor, currency, false, buf, len);
}

void ard_money_pretty(int64_t minor, const char *currency, char *buf, size_t len)
{
    format(minor, currency, true, buf, len);
}
