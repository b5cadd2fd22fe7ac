// Generates independent test vectors for AWS EventBridge cron expressions
// using Quartz's reference implementation (org.quartz.CronExpression).
//
// Usage (normally via tests/data/cron/generate.sh):
//   java -cp /usr/share/java/quartz2.jar tests/data/cron/QuartzVectors.java > quartz_vectors.json
//
// An EventBridge schedule `cron(m h dom mon dow year)` fires at the same
// instants as the Quartz expression "0 " + those six fields, in UTC.
//
// Determinism: the output depends only on the lists below and on Quartz.
// One Quartz detail would otherwise make it depend on the current date:
// CronExpression.MAX_YEAR is computed at class-initialisation time as
// (current year + 100). It is the upper bound used when expanding a `*` or
// `start/step` year field, and getTimeAfter() returns null for any candidate
// year greater than it. EventBridge accepts years up to 2199, so before any
// expression is parsed this program pins MAX_YEAR to 2199 (via
// sun.misc.Unsafe, because the field is `static final`) and records that in
// the provenance block. Nothing else in Quartz is touched.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;

import org.quartz.CronExpression;

public class QuartzVectors {

    static final int PINNED_MAX_YEAR = 2199;
    static final int MAX_RESULTS = 5;

    /** "after" instants used for every expression. */
    static final String[] COMMON_AFTERS = {
        "2026-11-25T07:43:00Z",   // an ordinary instant
        "2026-02-28T23:59:30Z",   // end of February, non-leap year, with seconds
        "2028-02-28T23:59:59Z",   // end of Feb 28, leap year
        "2027-12-31T23:59:00Z",   // year rollover
        "2100-02-27T12:00:00Z",   // 2100 is not a leap year
    };

    /**
     * Expressions (six EventBridge fields, no seconds), each followed by extra
     * "after" instants specific to it (on top of COMMON_AFTERS).
     */
    static final String[][] EXPRESSIONS = {
        // ---- minutes / hours: single values, *, steps, ranges, lists ----
        {"15 6 * * ? *", "2026-11-26T06:15:00Z", "2026-11-26T06:14:55Z", "2026-12-31T06:15:00Z"},
        {"* * * * ? *", "2026-11-25T07:43:59Z", "2199-12-31T23:57:00Z"},
        {"0 0 * * ? *", "2026-11-25T23:00:00Z", "2026-12-31T22:59:59Z"},
        {"59 23 * * ? *", "2026-12-31T23:59:00Z", "2028-02-29T23:58:59Z"},
        {"0/15 * * * ? *", "2026-11-25T07:45:00Z", "2026-11-25T23:59:59Z"},
        {"*/10 * * * ? *", "2026-11-25T07:50:00Z", "2026-11-25T07:59:59Z"},
        {"5/20 * * * ? *", "2026-11-25T07:45:00Z", "2026-11-25T07:04:59Z"},
        {"10-40/7 * * * ? *", "2026-11-25T07:38:00Z", "2026-11-25T07:24:00Z"},
        {"0,15,30,45 * * * ? *", "2026-11-25T07:30:00Z", "2026-12-31T23:45:00Z"},
        {"1-5,10,20-22 * * * ? *", "2026-11-25T07:05:00Z", "2026-11-25T07:22:30Z"},
        {"30 */6 * * ? *", "2026-11-25T18:30:00Z", "2026-11-25T18:29:59Z"},
        {"0 0/5 * * ? *", "2026-11-25T20:00:00Z", "2026-11-25T04:59:59Z"},
        {"0 1-5,10,20-22 * * ? *", "2026-11-25T05:00:00Z", "2026-11-25T22:00:00Z"},
        {"0 9-17 * * ? *", "2026-11-25T17:00:00Z", "2026-11-25T08:59:59Z"},
        {"0 22-2 * * ? *", "2026-11-25T21:00:00Z", "2026-11-25T02:00:00Z"},
        {"0 8-18/2 ? * 2-6 *", "2026-11-27T18:00:00Z", "2026-11-25T07:59:59Z"},
        {"0/30 9-17 ? * MON-FRI 2027", "2027-01-01T17:30:00Z", "2026-12-31T00:00:00Z"},

        // ---- day-of-month: values, month ends, L, LW, W, steps, lists ----
        {"0 0 1 * ? *", "2026-12-01T00:00:00Z", "2026-12-31T23:59:59Z"},
        {"0 0 L * ? *", "2026-01-31T00:00:00Z", "2026-04-29T23:59:59Z", "2028-01-31T00:00:01Z"},
        {"0 0 31 * ? *", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z"},
        {"0 0 30 * ? *", "2026-01-30T00:00:00Z", "2026-01-31T12:00:00Z"},
        {"0 0 29 * ? *", "2026-01-29T00:00:00Z", "2028-01-29T00:00:00Z"},
        {"0 0 29 2 ? *", "2028-02-29T00:00:00Z", "2096-02-29T00:00:00Z"},
        {"0 0 L 2 ? *", "2028-02-28T00:00:00Z", "2099-03-01T00:00:00Z"},
        {"0 12 LW * ? *", "2026-01-29T12:00:00Z", "2026-05-29T12:00:00Z", "2026-05-29T11:59:59Z", "2027-01-28T12:00:00Z"},
        {"0 0 LW 2 ? *", "2026-02-26T23:59:59Z", "2027-02-26T00:00:00Z"},
        {"45 23 LW 12 ? *", "2026-12-31T23:45:00Z", "2028-12-29T23:44:59Z"},
        {"0 0 1W * ? *", "2026-07-15T00:00:00Z", "2026-08-03T00:00:00Z", "2028-03-15T00:00:00Z"},
        {"0 12 15W * ? *", "2026-08-14T12:00:00Z", "2026-11-15T00:00:00Z", "2026-11-16T11:59:59Z"},
        {"0 0 30W * ? *", "2026-05-15T00:00:00Z", "2026-08-15T00:00:00Z", "2028-04-15T00:00:00Z", "2028-09-15T00:00:00Z"},
        {"0 0 31W * ? *", "2026-01-15T00:00:00Z", "2026-05-15T00:00:00Z", "2027-01-15T00:00:00Z"},
        {"30 12 28W 2 ? *", "2026-02-01T00:00:00Z", "2027-02-01T00:00:00Z"},
        {"0 0 1/10 * ? *", "2026-01-21T00:00:00Z", "2026-04-21T00:00:00Z"},
        {"0 0 */7 * ? *", "2026-01-29T00:00:00Z", "2026-02-22T00:00:00Z"},
        {"0 0 10-20 * ? *", "2026-11-20T00:00:00Z", "2026-11-09T23:59:59Z"},
        {"0 0 1-5,10,20-22 * ? *", "2026-11-05T00:00:00Z", "2026-11-22T00:00:00Z"},
        {"0 0 L 4-9 ? *", "2026-09-30T00:00:00Z", "2026-03-31T00:00:00Z"},

        // ---- month: names, ranges, steps, lists, wrap-around, lowercase ----
        {"0 0 1 JAN-MAR ? *", "2026-03-01T00:00:00Z", "2026-01-01T00:00:00Z"},
        {"0 0 1 2/3 ? *", "2026-11-01T00:00:00Z", "2026-02-01T00:00:00Z"},
        {"0 0 1 */4 ? *", "2026-09-01T00:00:00Z", "2026-01-01T00:00:00Z"},
        {"0 0 1 1,6,12 ? *", "2026-06-01T00:00:00Z", "2026-12-01T00:00:00Z"},
        {"0 0 1 NOV-FEB ? *", "2026-02-01T00:00:00Z", "2026-10-31T23:59:59Z"},
        {"0 0 15 jan,jul ? *", "2026-07-15T00:00:00Z", "2026-01-14T23:59:59Z"},
        {"0 6 ? jan-mar mon *", "2026-03-30T06:00:00Z", "2026-12-28T06:00:00Z"},

        // ---- day-of-week: values, names, ranges, lists, L, nL, n#k ----
        {"0 10 ? * * *", "2026-11-25T10:00:00Z", "2026-11-25T09:59:59Z"},
        {"0 10 ? * MON-FRI *", "2026-11-27T10:00:00Z", "2026-11-28T10:00:00Z"},
        {"0 10 ? * mon-fri *", "2026-11-27T10:00:00Z", "2026-11-29T09:00:00Z"},
        {"0 10 ? * MON,WED,FRI *", "2026-11-27T10:00:00Z", "2026-11-25T09:59:59Z"},
        {"0 10 ? * 2-4,6 *", "2026-11-26T10:00:00Z", "2026-11-27T10:00:00Z"},
        {"0 10 ? * 1 *", "2026-11-29T10:00:00Z", "2026-11-29T09:59:59Z"},
        {"0 10 ? * 7 *", "2026-11-28T10:00:00Z", "2026-11-28T09:59:59Z"},
        {"0 10 ? * SUN *", "2026-11-29T10:00:00Z", "2026-11-29T10:00:01Z"},
        {"0 10 ? * FRI-MON *", "2026-11-30T10:00:00Z", "2026-11-27T09:59:59Z"},
        {"0 0 ? * L *", "2026-11-28T00:00:00Z", "2026-11-27T23:59:59Z"},
        {"0 0 ? * 6L *", "2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-07-24T00:00:00Z"},
        {"0 0 ? * 1L *", "2026-05-31T00:00:00Z", "2026-05-24T00:00:00Z"},
        {"15 10 ? * 6L 2026-2027", "2027-12-31T10:15:00Z", "2027-11-26T10:15:00Z"},
        {"0 0 ? * 6#5 *", "2026-01-30T00:00:00Z", "2026-10-30T00:00:00Z", "2027-12-31T00:00:00Z"},
        {"0 0 ? * 7#5 *", "2026-01-31T00:00:00Z", "2028-12-30T00:00:00Z"},
        {"0 0 ? * 2#1 *", "2026-11-02T00:00:00Z", "2026-06-01T00:00:00Z"},
        {"0 9 ? * 3#3 *", "2026-11-17T09:00:00Z", "2026-11-17T08:59:59Z"},
        {"0 0 ? 1,7 2#1 *", "2026-01-05T00:00:00Z", "2026-07-06T00:00:00Z"},
        {"30 6 ? * MON 2028", "2028-12-25T06:30:00Z", "2027-12-27T06:30:00Z"},

        // ---- year: single values, ranges, lists, steps, ending ranges ----
        {"* * * * ? 2026", "2026-12-31T23:57:30Z", "2026-12-31T23:59:00Z"},
        {"0 0 1 1 ? 2027-2029", "2029-01-01T00:00:00Z", "2026-12-31T23:59:59Z"},
        {"0 12 * * ? 2199", "2199-12-29T12:00:00Z", "2199-12-31T12:00:00Z", "2199-12-31T11:59:59Z"},
        {"59 23 31 12 ? 2197-2199", "2197-12-31T23:59:00Z", "2196-06-01T00:00:00Z"},
        {"0 0 1 1 ? 2026/3", "2026-01-01T00:00:00Z", "2186-01-01T00:00:00Z"},
        {"0 0 * * ? 2190/4", "2198-12-28T00:00:00Z", "2194-12-30T00:00:00Z"},
        {"0 0 1 * ? 2025", "2025-12-01T00:00:00Z", "2020-01-01T00:00:00Z"},
        {"0 0 1 1 ? 2026,2030,2035", "2030-01-01T00:00:00Z", "2025-06-01T00:00:00Z"},
        {"0 0 1 6 ? 2027-2029,2031", "2029-06-01T00:00:00Z", "2026-06-01T00:00:00Z"},
        {"0 0 L 2 ? 2028-2032", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"},
        {"0 0 29 2 ? 2100-2104", "2099-01-01T00:00:00Z", "2104-02-29T00:00:00Z"},
        {"0 18 ? * 6#5 2026", "2026-10-30T18:00:00Z", "2026-01-01T00:00:00Z"},
    };

    /** Expressions whose Quartz validity is recorded (accepted or rejected). */
    static final String[] VALIDITY = {
        // should be accepted
        "15 6 * * ? *",
        "0 0 ? * MON-FRI *",
        "0 0 ? * mon-fri *",
        "0 0 ? * Mon-Fri *",
        "0 0 1 jan ? *",
        "0 0 1 Jan,Jul ? *",
        "0 22-2 * * ? *",
        "0 0 ? * FRI-MON *",
        "0 0 1 NOV-FEB ? *",
        "55-5 * * * ? *",
        "0 0 28-3 * ? *",
        "0 0 LW * ? *",
        "0 0 ? * 6L *",
        "0 0 ? * L *",
        "0 0 ? * 6#5 *",
        "0 0 ? * FRI#5 *",
        "0 0 ? * FRIL *",
        "0 0 * * ? 2199",
        // both / neither ?
        "0 0 ? * ? *",
        "0 0 * * * *",
        "0 0 1 * MON *",
        "0 0 1 * 2 *",
        // multiple # / # with list / L with list
        "0 0 ? * 3#1,6#3 *",
        "0 0 ? * 2#1,4 *",
        "0 0 ? * 6L,2 *",
        "0 0 L,15 * ? *",
        "0 0 15,L * ? *",
        "0 0 LW,1 * ? *",
        "0 0 1W,15W * ? *",
        "0 0 1W-5 * ? *",
        // out-of-range values
        "60 * * * ? *",
        "* 24 * * ? *",
        "* * 32 * ? *",
        "* * 0 * ? *",
        "* * * 13 ? *",
        "* * * 0 ? *",
        "* * ? * 8 *",
        "* * ? * 0 *",
        "* * ? * 1#6 *",
        "* * ? * 1#0 *",
        "* * ? * 8L *",
        "* * 32W * ? *",
        "* * * * ? 1969",
        "* * * * ? 2200",
        "* * * * ? 3000",
        "0 0 1 1 ? 2029-2027",
        // steps
        "0/60 * * * ? *",
        "0/0 * * * ? *",
        "* 0/24 * * ? *",
        "* * 1/32 * ? *",
        "* * 1 1/13 ? *",
        "* * ? * 1/2 *",
        "* * ? * MON/2 *",
        // L-n offsets and misc syntax EventBridge does not document
        "0 0 L-3 * ? *",
        "0 0 L-3W * ? *",
        "0 0 ? * 6L-2 *",
        "0 0 W * ? *",
        "0 0 1L * ? *",
        "0 0 ? * 2W *",
        "0 0 5# * ? *",
        "0 0 ? * # *",
        "0 0 1 FOO ? *",
        "0 0 ? * MOND *",
        "0 0 1 JANUARY ? *",
        "0 0 ? ? * *",
        "? 0 1 * ? *",
        "0 ? 1 * ? *",
        "0 0 1 ? ? *",
        "0 0 1 * ? ?",
        "-5 * * * ? *",
        "5- * * * ? *",
        ", * * * ? *",
        // wrong number of fields
        "* * * * ?",
        "0 0 1 * ? * *",
        "* * * *",
        "",
    };

    static final DateTimeFormatter RFC3339 =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    public static void main(String[] args) throws Exception {
        pinMaxYear();

        StringBuilder out = new StringBuilder();
        out.append("{\n");
        out.append("  \"provenance\": {\n");
        field(out, 4, "generator", "tests/data/cron/QuartzVectors.java", true);
        field(out, 4, "implementation", "org.quartz.CronExpression", true);
        field(out, 4, "package", "Debian libquartz2-java " + dpkgVersion("libquartz2-java"), true);
        field(out, 4, "java", javaVersionLine(), true);
        field(out, 4, "timezone", "UTC", true);
        out.append("    \"max_year_pinned\": ").append(PINNED_MAX_YEAR).append(",\n");
        field(out, 4, "note",
            "Quartz expression = \"0 \" + six EventBridge fields; times are successive getTimeAfter results, "
            + "strictly after `after`; at most " + MAX_RESULTS + " per case, fewer when the schedule ends. "
            + "CronExpression.MAX_YEAR (normally current year + 100, the upper bound for `*` and `n/step` years "
            + "and for any result) was pinned to " + PINNED_MAX_YEAR + " (EventBridge's last year) for determinism.",
            false);
        out.append("  },\n");

        // ---- cases ----
        out.append("  \"cases\": [\n");
        Set<String> seen = new LinkedHashSet<>();
        List<String> caseLines = new ArrayList<>();
        for (String[] spec : EXPRESSIONS) {
            String expr = spec[0];
            if (!seen.add(expr)) {
                throw new IllegalStateException("duplicate expression: " + expr);
            }
            if (expr.trim().split("\\s+").length != 6) {
                throw new IllegalStateException("not six fields: " + expr);
            }
            String quartz = "0 " + expr;
            if (!CronExpression.isValidExpression(quartz)) {
                throw new IllegalStateException("Quartz rejects vector expression: " + quartz);
            }
            Set<String> afters = new LinkedHashSet<>();
            for (String a : COMMON_AFTERS) afters.add(a);
            for (int i = 1; i < spec.length; i++) afters.add(spec[i]);

            for (String after : afters) {
                Instant afterInstant = Instant.parse(after);
                if (!RFC3339.format(afterInstant).equals(after)) {
                    throw new IllegalStateException("after instant not in canonical form: " + after);
                }
                CronExpression ce = new CronExpression(quartz);
                ce.setTimeZone(TimeZone.getTimeZone("UTC"));
                List<String> next = new ArrayList<>();
                Date t = Date.from(afterInstant);
                for (int i = 0; i < MAX_RESULTS; i++) {
                    Date n = ce.getTimeAfter(t);
                    if (n == null) break;
                    if (!n.after(t)) {
                        throw new IllegalStateException("non-increasing result for " + quartz + " after " + t);
                    }
                    next.add(RFC3339.format(n.toInstant()));
                    t = n;
                }
                StringBuilder line = new StringBuilder();
                line.append("    {\"expression\": ").append(json(expr))
                    .append(", \"after\": ").append(json(after))
                    .append(", \"next\": [");
                for (int i = 0; i < next.size(); i++) {
                    if (i > 0) line.append(", ");
                    line.append(json(next.get(i)));
                }
                line.append("]}");
                caseLines.add(line.toString());
            }
        }
        out.append(String.join(",\n", caseLines)).append("\n");
        out.append("  ],\n");

        // ---- validity ----
        out.append("  \"validity\": [\n");
        List<String> validityLines = new ArrayList<>();
        Set<String> seenValidity = new LinkedHashSet<>();
        for (String expr : VALIDITY) {
            if (!seenValidity.add(expr)) {
                throw new IllegalStateException("duplicate validity expression: " + expr);
            }
            boolean ok = CronExpression.isValidExpression("0 " + expr);
            validityLines.add("    {\"expression\": " + json(expr) + ", \"quartz_valid\": " + ok + "}");
        }
        out.append(String.join(",\n", validityLines)).append("\n");
        out.append("  ]\n");
        out.append("}\n");

        System.out.print(out);
        System.out.flush();
        System.err.println("expressions: " + EXPRESSIONS.length + ", cases: " + caseLines.size()
            + ", validity entries: " + validityLines.size());
    }

    /** Pin CronExpression.MAX_YEAR (a static final int) before any expression is parsed. */
    static void pinMaxYear() throws Exception {
        // Initialise the class first: its static initialiser assigns MAX_YEAR,
        // and Unsafe accesses do not trigger class initialisation.
        Class.forName("org.quartz.CronExpression", true, QuartzVectors.class.getClassLoader());
        Field maxYear = CronExpression.class.getField("MAX_YEAR");
        int original = maxYear.getInt(null);
        if (original < 2020) {
            throw new IllegalStateException("unexpected CronExpression.MAX_YEAR " + original);
        }
        Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        Class<?> uc = unsafe.getClass();
        Object base = uc.getMethod("staticFieldBase", Field.class).invoke(unsafe, maxYear);
        long offset = (Long) uc.getMethod("staticFieldOffset", Field.class).invoke(unsafe, maxYear);
        uc.getMethod("putInt", Object.class, long.class, int.class).invoke(unsafe, base, offset, PINNED_MAX_YEAR);
        int now = maxYear.getInt(null);
        if (now != PINNED_MAX_YEAR) {
            throw new IllegalStateException("failed to pin CronExpression.MAX_YEAR (still " + now + ")");
        }
        // Sanity check that the pinned value is what Quartz actually uses.
        CronExpression probe = new CronExpression("0 0 12 * * ? 2199");
        probe.setTimeZone(TimeZone.getTimeZone("UTC"));
        Date d = probe.getTimeAfter(Date.from(Instant.parse("2199-12-30T00:00:00Z")));
        if (d == null || !RFC3339.format(d.toInstant()).equals("2199-12-30T12:00:00Z")) {
            throw new IllegalStateException("MAX_YEAR pin not effective: " + d);
        }
    }

    static String dpkgVersion(String pkg) throws Exception {
        String v = run("dpkg-query", "-W", "-f=${Version}", pkg).trim();
        if (v.isEmpty()) throw new IllegalStateException("dpkg-query gave no version for " + pkg);
        return v;
    }

    static String javaVersionLine() throws Exception {
        String javaBin = System.getProperty("java.home") + "/bin/java";
        String all = run(javaBin, "-version");
        return all.split("\\R", 2)[0].trim();
    }

    static String run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder sb = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) sb.append(line).append('\n');
        }
        int rc = p.waitFor();
        if (rc != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + rc + ": " + sb);
        return sb.toString();
    }

    static void field(StringBuilder out, int indent, String key, String value, boolean comma) {
        out.append(" ".repeat(indent)).append(json(key)).append(": ").append(json(value));
        out.append(comma ? ",\n" : "\n");
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
