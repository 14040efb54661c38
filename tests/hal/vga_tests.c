/* tests/hal/vga_tests.c - the VGA mirror of the console: what DbgPrint writes is on the screen,
 * and a line longer than 80 columns breaks at a word and goes on under its indent plus two. */
#include "../ktest.h"
#include "../../kernel/hal/hal.h"
#include <ntstrsafe.h>

static CHAR KtpRow[81];

static PCSTR KtpScreenRow(ULONG Row)
{
    HalVgaReadRow(Row, KtpRow, 80);
    KtpRow[80] = 0;
    return KtpRow;
}

static BOOLEAN KtpRowStartsWith(ULONG Row, PCSTR Text)
{
    PCSTR r = KtpScreenRow(Row);
    return strncmp(r, Text, strlen(Text)) == 0;
}

KTEST(vga, a_short_line_is_on_the_screen_as_printed)
{
    DbgPrint("# vga: short line 12345\n");
    ULONG row = HalVgaCurrentRow() - 1;
    KT_ASSERT(KtpRowStartsWith(row, "# vga: short line 12345 "));
}

/* 4 spaces of indent, then words of 9 characters: 9 words fill 4 + 90 columns. The first row
 * must end after the last whole word that fits (7 words end at column 4 + 7*10 - 1 = 73), the
 * second row starts at column 6 (indent plus two) with the eighth word. */
KTEST(vga, a_long_line_breaks_at_a_word_under_its_indent)
{
    static CHAR line[128];
    RtlStringCbCopyA(line, sizeof(line), "    ");
    for (ULONG i = 1; i <= 9; i++) {
        CHAR w[16];
        RtlStringCbPrintfA(w, sizeof(w), "word%05u ", i);
        RtlStringCbCatA(line, sizeof(line), w);
    }
    DbgPrint("%s\n", line);
    ULONG row = HalVgaCurrentRow() - 2;
    PCSTR first = KtpScreenRow(row);
    KT_ASSERT(strncmp(first, "    word00001 ", 14) == 0);
    KT_ASSERT(strncmp(first + 64, "word00007", 9) == 0);
    for (ULONG i = 73; i < 80; i++)
        KT_EQ(first[i], ' '); /* word00008 did not start here and get cut */
    PCSTR second = KtpScreenRow(row + 1);
    KT_ASSERT(strncmp(second, "      word00008 word00009", 25) == 0);
}

/* A single word longer than a row cannot break at a space: it is cut at column 80 and goes on. */
KTEST(vga, a_word_longer_than_the_screen_is_cut_at_the_edge)
{
    static CHAR line[100];
    for (ULONG i = 0; i < 90; i++)
        line[i] = (CHAR)('a' + i % 26);
    line[90] = 0;
    DbgPrint("%s\n", line);
    ULONG row = HalVgaCurrentRow() - 2;
    PCSTR first = KtpScreenRow(row);
    KT_EQ(first[0], 'a');
    KT_EQ(first[79], (CHAR)('a' + 79 % 26));
    PCSTR second = KtpScreenRow(row + 1);
    KT_EQ(second[2], (CHAR)('a' + 80 % 26)); /* under the (empty) indent plus two */
}
