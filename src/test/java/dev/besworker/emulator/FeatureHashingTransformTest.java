package dev.besworker.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import dev.besworker.emulator.FeatureHashingTransform.OutputFormat;

class FeatureHashingTransformTest {

    private final FeatureHashingTransform transform = new FeatureHashingTransform("Col2", 3, 2);

    private String run(String input, char delimiter, OutputFormat format) throws IOException {
        StringWriter out = new StringWriter();
        transform.transform(new StringReader(input), delimiter, out, format, "c/in.csv", () -> false);
        return out.toString();
    }

    @Test
    void keepsEveryColumnInOrder_thenAppendsFeatures() throws IOException {
        // given
        String input = "Col1,Col2,Col3\r\n7,This is a good day,x\r\n8,,y\r\n";

        // when
        String output = run(input, ',', OutputFormat.CSV);

        // then
        assertThat(output).isEqualTo("Col1,Col2,Col3,Col2_HashingFeature.0,Col2_HashingFeature.1,Col2_HashingFeature.2,"
                + "Col2_HashingFeature.3,Col2_HashingFeature.4,Col2_HashingFeature.5,Col2_HashingFeature.6,"
                + "Col2_HashingFeature.7\r\n"
                + "7,This is a good day,x,1,1,2,2,0,2,0,1\r\n"
                + "8,,y,0,0,0,0,0,0,0,0\r\n");
    }

    @Test
    void quotedFieldsWithDelimitersAndNewlines_roundTrip() throws IOException {
        // given
        String text = "line one,\nline \"two\"\ttab";
        String input = "Col2,Other\n\"line one,\nline \"\"two\"\"\ttab\",\"a,b\"\n";

        // when
        String output = run(input, ',', OutputFormat.CSV);

        // then
        List<CSVRecord> records = CSVFormat.DEFAULT.parse(new StringReader(output)).getRecords();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).get(0)).isEqualTo(text);
        assertThat(records.get(1).get(1)).isEqualTo("a,b");
        int[] expected = new FeatureHasher(3, 2).features(text);
        for (int i = 0; i < 8; i++) {
            assertThat(records.get(1).get(2 + i)).isEqualTo(Integer.toString(expected[i]));
        }
    }

    @Test
    void byteOrderMark_isIgnored() throws IOException {
        // when
        String output = run("\ufeffCol2\nday\n", ',', OutputFormat.CSV);

        // then
        assertThat(output).startsWith("Col2,Col2_HashingFeature.0,");
    }

    @Test
    void tabSeparatedInputAndOutput() throws IOException {
        // when
        String output = run("Col2\tn\nThis is a good day\t1\n", '\t', OutputFormat.TSV);

        // then
        assertThat(output.split("\r\n")[1]).isEqualTo("This is a good day\t1\t1\t1\t2\t2\t0\t2\t0\t1");
    }

    @Test
    void arffOutput_declaresAttributesThenData() throws IOException {
        // when
        String output = run("Col2\nit's a good day\n", ',', OutputFormat.ARFF);

        // then
        assertThat(output).startsWith("@RELATION output1\n\n@ATTRIBUTE 'Col2' STRING\n@ATTRIBUTE 'Col2_HashingFeature.0' NUMERIC\n")
                .contains("\n@DATA\n'it\\'s a good day',");
    }

    @Test
    void missingTextColumn_failsNamingColumnAndHeader() {
        // when / then
        assertThatThrownBy(() -> run("text,other\nhello,1\n", ',', OutputFormat.CSV))
                .isInstanceOfSatisfying(ModuleException.class, ex -> assertThat(ex.details())
                        .startsWith("Module: Feature Hashing;")
                        .contains("taskStatusCode=400", "Error 0001", "\"Col2\"", "c/in.csv", "columns: text, other"));
    }

    @Test
    void columnMatch_isCaseSensitive() {
        assertThatThrownBy(() -> run("col2\nhello\n", ',', OutputFormat.CSV))
                .isInstanceOf(ModuleException.class).hasMessageContaining("case-sensitive");
    }

    @Test
    void rowWithTooFewFields_failsNamingTheLine() {
        assertThatThrownBy(() -> run("Col1,Col2\n1,a\n2\n", ',', OutputFormat.CSV))
                .isInstanceOfSatisfying(ModuleException.class, ex -> assertThat(ex.details())
                        .contains("Module: Reader", "line 3", "has 1 fields but the header has 2"));
    }

    @Test
    void unterminatedQuote_failsAsParseError() {
        assertThatThrownBy(() -> run("Col2\n\"never closed\n", ',', OutputFormat.CSV))
                .isInstanceOfSatisfying(ModuleException.class, ex -> assertThat(ex.details())
                        .contains("Module: Reader", "Error 1000", "Cannot parse input \"c/in.csv\""));
    }

    @Test
    void emptyInput_failsForMissingHeader() {
        assertThatThrownBy(() -> run("", ',', OutputFormat.CSV))
                .isInstanceOfSatisfying(ModuleException.class, ex -> assertThat(ex.details())
                        .contains("no header row"));
    }

    @Test
    void headerOnly_givesHeaderOnly() throws IOException {
        // when
        String output = run("Col2\n", ',', OutputFormat.CSV);

        // then
        assertThat(output.split("\r\n")).hasSize(1);
    }

    @Test
    void stopRequest_stopsALongTransform() {
        // given
        StringBuilder input = new StringBuilder("Col2\n");
        for (int i = 0; i < 10_000; i++) {
            input.append("row ").append(i).append('\n');
        }

        // when / then
        assertThatThrownBy(() -> transform.transform(new StringReader(input.toString()), ',', new StringWriter(),
                OutputFormat.CSV, "c/in.csv", () -> true)).isInstanceOf(CancellationException.class);
    }

    @Test
    void outputFormat_followsBlobExtension() {
        assertThat(OutputFormat.forBlobName("a/b.TSV")).isEqualTo(OutputFormat.TSV);
        assertThat(OutputFormat.forBlobName("b.arff")).isEqualTo(OutputFormat.ARFF);
        assertThat(OutputFormat.forBlobName("b.csv")).isEqualTo(OutputFormat.CSV);
    }
}
