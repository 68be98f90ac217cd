package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTableTest {
    private final BenchTable table = new BenchTable(List.of("stack", "gbps", "note"), List.of(
            Arrays.asList("jnet", 12.5, "a, \"quoted\" note"),
            Arrays.asList("kernel", null, "line\nbreak"),
            Arrays.asList("x<y", 3L, "")));

    @Test
    void csvQuotesWhatNeedsIt() {
        assertThat(table.csv()).isEqualTo("stack,gbps,note\njnet,12.5,\"a, \"\"quoted\"\" note\"\nkernel,,\"line\nbreak\"\nx<y,3,\n");
    }

    @Test
    void jsonHasNullsNumbersAndEscapes() {
        assertThat(table.json()).isEqualTo("[\n  {\"stack\": \"jnet\", \"gbps\": 12.5, \"note\": \"a, \\\"quoted\\\" note\"},\n"
                + "  {\"stack\": \"kernel\", \"gbps\": null, \"note\": \"line\\nbreak\"},\n"
                + "  {\"stack\": \"x<y\", \"gbps\": 3, \"note\": \"\"}\n]\n");
    }

    @Test
    void svgHasABarPerMeasuredRowAndEscapesLabels() {
        String svg = table.svg("t", "gbps", List.of("stack"));
        assertThat(svg.split("<rect", -1)).hasSize(3);
        assertThat(svg).contains("x&lt;y").doesNotContain(">kernel<");
        assertThatThrownBy(() -> table.svg("t", "nope", List.of())).hasMessageContaining("no column nope");
    }
}
