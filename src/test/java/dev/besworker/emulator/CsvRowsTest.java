package dev.besworker.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** CsvRows reads what Commons CSV's DEFAULT format reads (the emulator's parser before it). */
class CsvRowsTest {

    private static final List<String> SAME_AS_COMMONS = List.of(
            "a,b\n1,2\n",
            "a,b\r\n1,2\r\n3,4",
            "a,b\r1,2\r3,4\r",
            "a,b\n\n\r\n1,2\n\n3,4\n\n",
            "a,b\n\"x, \"\"y\"\"\",2\n",
            "a,b\n\"multi\r\nline\nfield\",2\n",
            "a,b\n\"q\"  ,2\n",
            "a,b\nx \"not quoted\",y\"\n",
            "a,b\n,\n",
            "a,b,c\n1,,\n",
            "a,b\n1,\"\"\n",
            "a,b\n\"\",\"\"",
            "h\u00e9,\u00fc\n\u65e5\u672c,\"\u20ac\"\n",
            "\"quoted header\",b\n1,2\n",
            "a\tb\n1\t2\n");

    @Test
    void readsEveryRecordAsCommonsCsvDoes() throws Exception {
        for (String text : SAME_AS_COMMONS) {
            char delimiter = text.startsWith("a\t") ? '\t' : ',';
            assertThat(ours(text, delimiter)).as(text).isEqualTo(commons(text, delimiter));
        }
    }

    @Test
    void linesOfARaggedRecord_andOfBadQuotes() throws Exception {
        CsvRows.Ragged ragged = catchThrowableOfType(CsvRows.Ragged.class, () -> ours("a,b\n1,2\n3\n", ','));
        assertThat(ragged.line).isEqualTo(3);
        assertThat(ragged.fields).isEqualTo(1);
        assertThat(catchThrowableOfType(CsvRows.Malformed.class, () -> ours("a,b\n\"open,2\n", ',')))
                .hasMessageContaining("EOF");
        assertThat(catchThrowableOfType(CsvRows.Malformed.class, () -> ours("a,b\n\"x\"y,2\n", ',')).line)
                .isEqualTo(2);
    }

    private static List<List<String>> ours(String text, char delimiter) throws Exception {
        CsvRows rows = new CsvRows(new StringReader(text), delimiter);
        List<List<String>> out = new ArrayList<>();
        List<String> header = rows.header();
        out.add(header);
        CsvRows.Rows batch = new CsvRows.Rows(header.size(), 2);
        while (rows.next(batch, 1 << 20)) {
            for (int r = 0; r < batch.size; r++) {
                List<String> row = new ArrayList<>();
                for (int i = 0; i < batch.width; i++) {
                    row.add(new String(batch.chars, batch.start(r, i), batch.length(r, i)));
                }
                out.add(row);
            }
        }
        return out;
    }

    private static List<List<String>> commons(String text, char delimiter) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(text),
                CSVFormat.DEFAULT.builder().setDelimiter(delimiter).get())) {
            for (CSVRecord record : parser) {
                out.add(record.toList());
            }
        }
        return out;
    }
}
