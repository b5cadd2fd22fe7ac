// Generates independent test vectors for schedules in a time zone, as EventBridge Scheduler
// documents them ("Schedule types", daylight saving time): a cron expression is read on the
// zone's wall clock; a wall time that a spring-forward gap skips does not run; one that an
// autumn overlap repeats runs once, at its first occurrence; a rate keeps fixed durations.
//
// Usage (normally via tests/data/cron/generate.sh):
//   java -cp /usr/share/java/quartz2.jar tests/data/cron/ZoneVectors.java > zone_vectors.json
//
// Two independent parts, neither of them fsx-drt's code:
//   - Quartz's org.quartz.CronExpression ("0 " + the six EventBridge fields) with its time
//     zone set to UTC gives the successive WALL-CLOCK times (UTC stands in for a clock that
//     never shifts), starting from the wall time the `after` instant shows in the zone;
//   - the JDK's java.time ZoneRules maps each wall time to instants: getValidOffsets gives
//     0 offsets (a gap: skipped), 1 (the instant) or 2 (an overlap: the earlier instant, once).
//     A wall time whose first occurrence is not after `after` (`after` is in an overlap's
//     second pass) already ran and is skipped.
// at(...) cases map their one wall time the same way (in a gap: no run, fsx-drt's documented
// choice); rate cases add fixed durations to `after` truncated to the minute.
//
// Every zone's transitions in 2026-2028 are recorded too, so that the Rust side can check
// that its zone data (chrono-tz) agrees with the JDK's before comparing times.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;

import org.quartz.CronExpression;

public class ZoneVectors {

    static final int MAX_RESULTS = 6;
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant UNTIL = Instant.parse("2029-01-01T00:00:00Z");

    /** The zones, each with why it is here. */
    static final String[][] ZONES = {
        {"UTC", "no offset at all"},
        {"Europe/Berlin", "northern spring-forward gap 02:00-03:00 and autumn overlap 02:00-03:00"},
        {"America/New_York", "northern gap 02:00-03:00 and overlap 01:00-02:00"},
        {"Asia/Kolkata", "half-hour offset +05:30, no daylight saving"},
        {"Australia/Adelaide", "half-hour offsets +09:30/+10:30, southern daylight saving"},
        {"Asia/Kathmandu", "45-minute offset +05:45"},
        {"Pacific/Chatham", "45-minute offsets +12:45/+13:45, gap 02:45-03:45"},
        {"Australia/Eucla", "45-minute offset +08:45"},
        {"Australia/Lord_Howe", "a 30-minute daylight saving shift"},
        {"Australia/Sydney", "southern hemisphere"},
        {"America/Santiago", "southern hemisphere, changes at 24:00"},
        {"Pacific/Auckland", "southern hemisphere"},
        {"America/Havana", "changes at 00:00 (gap) and 01:00 (overlap to 00:00)"},
        {"Asia/Beirut", "changes at 00:00"},
        {"Atlantic/Azores", "changes at 00:00"},
        {"Africa/Cairo", "changes at 00:00 and 24:00"},
        {"America/Asuncion", "no change in 2026-2028 (permanent -03 since October 2024)"},
    };

    /** Expressions checked in every zone, from these instants. */
    static final String[] EVERY_ZONE = {
        "15 6 * * ? *", "0 0 * * ? *", "0 0 1 * ? *", "0 12 ? * MON-FRI *", "0 0 L * ? *",
        "0/20 * * * ? *", "0 9 ? * 6#5 *", "45 23 31 12 ? *",
    };
    static final String[] EVERY_ZONE_AFTERS = {
        "2026-11-25T07:43:00Z", "2027-12-31T09:59:30Z",
    };

    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
    static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    static final List<String> cases = new ArrayList<>();
    static final Set<String> seen = new LinkedHashSet<>();

    public static void main(String[] args) throws Exception {
        String tzdata = ZoneRulesProvider.getVersions("UTC").lastKey();
        StringBuilder zonesJson = new StringBuilder();
        List<String> midnight = new ArrayList<>();
        for (int z = 0; z < ZONES.length; z++) {
            ZoneId zone = ZoneId.of(ZONES[z][0]);
            ZoneRules rules = zone.getRules();
            List<ZoneOffsetTransition> transitions = transitions(rules);
            boolean atMidnight = false;
            StringBuilder tj = new StringBuilder();
            for (int i = 0; i < transitions.size(); i++) {
                ZoneOffsetTransition t = transitions.get(i);
                boolean m = t.getDateTimeBefore().toLocalTime().equals(LocalTime.MIDNIGHT)
                    || t.getDateTimeAfter().toLocalTime().equals(LocalTime.MIDNIGHT);
                atMidnight |= m;
                tj.append(i == 0 ? "" : ",").append("\n        {\"instant\": ").append(json(t.getInstant().toString()))
                    .append(", \"offset_before\": ").append(t.getOffsetBefore().getTotalSeconds())
                    .append(", \"offset_after\": ").append(t.getOffsetAfter().getTotalSeconds())
                    .append(", \"wall_before\": ").append(json(WALL.format(t.getDateTimeBefore())))
                    .append(", \"wall_after\": ").append(json(WALL.format(t.getDateTimeAfter())))
                    .append(", \"kind\": ").append(json(t.isGap() ? "gap" : "overlap"))
                    .append(", \"at_midnight\": ").append(m).append("}");
                transitionCases(zone, t, i < 2);
            }
            if (atMidnight) midnight.add(zone.getId());
            for (String expr : EVERY_ZONE) {
                for (String after : EVERY_ZONE_AFTERS) cron(zone, expr, Instant.parse(after));
            }
            rate(zone, "rate(1 day)", Instant.parse("2026-11-25T07:43:20Z"));
            zonesJson.append(z == 0 ? "" : ",").append("\n    {\"name\": ").append(json(zone.getId()))
                .append(", \"why\": ").append(json(ZONES[z][1]))
                .append(", \"offset_at_start\": ").append(rules.getOffset(FROM).getTotalSeconds())
                .append(", \"changes_at_midnight\": ").append(atMidnight)
                .append(", \"transitions\": [").append(tj).append(transitions.isEmpty() ? "]}" : "\n      ]}");
        }

        StringBuilder out = new StringBuilder("{\n  \"provenance\": {\n");
        field(out, "generator", "tests/data/cron/ZoneVectors.java");
        field(out, "command", "bash tests/data/cron/generate.sh");
        field(out, "wall_clock", "org.quartz.CronExpression, Debian libquartz2-java " + dpkgVersion("libquartz2-java") + ", time zone UTC");
        field(out, "instants", "java.time.zone.ZoneRules.getValidOffsets (0: gap, skipped; 2: overlap, the earlier instant once)");
        field(out, "java", javaVersionLine());
        field(out, "jdk_tzdata", tzdata);
        field(out, "years", "transitions from " + FROM + " until " + UNTIL);
        field(out, "changes_at_midnight", String.join(", ", midnight));
        out.append("    \"note\": ").append(json(
            "Each case: successive fire times strictly after `after`, at most " + MAX_RESULTS + ", as RFC 3339 with the "
            + "zone's offset. tests/offline/zones.rs first checks that chrono-tz (the zone data fsx-drt compiles in) "
            + "has exactly these transitions and offsets in these years, then compares Schedule::upcoming_in with every case.")).append("\n  },\n");
        out.append("  \"zones\": [").append(zonesJson).append("\n  ],\n");
        out.append("  \"cases\": [\n").append(String.join(",\n", cases)).append("\n  ]\n}\n");
        System.out.print(out);
        System.out.flush();
        System.err.println("tzdata " + tzdata + ", zones: " + ZONES.length + ", cases: " + cases.size()
            + ", changing at midnight: " + midnight);
    }

    static List<ZoneOffsetTransition> transitions(ZoneRules rules) {
        List<ZoneOffsetTransition> all = new ArrayList<>();
        ZoneOffsetTransition t = rules.nextTransition(FROM.minusSeconds(1));
        while (t != null && t.getInstant().isBefore(UNTIL)) {
            all.add(t);
            t = rules.nextTransition(t.getInstant());
        }
        return all;
    }

    /** Cases around one transition: the first two of a zone get them all, later ones a few. */
    static void transitionCases(ZoneId zone, ZoneOffsetTransition t, boolean all) {
        Instant at = t.getInstant();
        LocalDateTime before = t.getDateTimeBefore(), after = t.getDateTimeAfter();
        // The wall times the change skips (gap) or repeats (overlap): [first, end).
        LocalDateTime first = t.isGap() ? before : after, end = t.isGap() ? after : before;
        LocalDateTime mid = first.plus(Duration.between(first, end).dividedBy(2));
        Instant twoDaysBefore = at.minus(2, ChronoUnit.DAYS);
        cron(zone, daily(mid), twoDaysBefore);
        cron(zone, "0/15 * * * ? *", at.minus(1, ChronoUnit.HOURS));
        if (!all) return;
        cron(zone, daily(first), twoDaysBefore);
        cron(zone, daily(end.minusMinutes(1)), twoDaysBefore);
        cron(zone, daily(end), twoDaysBefore);
        cron(zone, daily(first.minusMinutes(1)), twoDaysBefore);
        int dow = mid.getDayOfWeek().getValue() % 7 + 1; // Quartz: 1 = Sunday
        cron(zone, mid.getMinute() + " " + mid.getHour() + " ? * " + dow + " *", at.minus(8, ChronoUnit.DAYS));
        cron(zone, mid.getMinute() + " " + mid.getHour() + " " + mid.getDayOfMonth() + " " + mid.getMonthValue() + " ? *",
            at.minus(400, ChronoUnit.DAYS));
        cron(zone, "30 * * * ? *", at.minus(3, ChronoUnit.HOURS));
        cron(zone, "* * * * ? *", at.minusSeconds(150));
        if (!t.isGap()) {
            // From inside the overlap: its first pass, and its second pass (those times ran).
            cron(zone, "0/15 * * * ? *", at.minusSeconds(60));
            cron(zone, "0/15 * * * ? *", at.plus(10, ChronoUnit.MINUTES));
            cron(zone, daily(mid), at.plus(5, ChronoUnit.MINUTES));
            oneTime(zone, mid, at);
        }
        oneTime(zone, mid, at.minus(30, ChronoUnit.DAYS));
        oneTime(zone, end, at.minus(30, ChronoUnit.DAYS));
        rate(zone, "rate(1 day)", at.minus(2, ChronoUnit.DAYS).plusSeconds(17 * 60 + 20));
        rate(zone, "rate(1 hour)", at.minus(2, ChronoUnit.HOURS));
    }

    static String daily(LocalDateTime wall) {
        return wall.getMinute() + " " + wall.getHour() + " * * ? *";
    }

    /** The first instant a wall time names in the zone; null in a gap. */
    static Instant firstInstant(ZoneRules rules, LocalDateTime wall) {
        Instant first = null;
        for (ZoneOffset o : rules.getValidOffsets(wall)) {
            Instant i = wall.toInstant(o);
            if (first == null || i.isBefore(first)) first = i;
        }
        return first;
    }

    static void cron(ZoneId zone, String expr, Instant after) {
        ZoneRules rules = zone.getRules();
        try {
            CronExpression ce = new CronExpression("0 " + expr);
            ce.setTimeZone(TimeZone.getTimeZone("UTC"));
            LocalDateTime wallAfter = LocalDateTime.ofInstant(after, zone);
            Date t = Date.from(wallAfter.toInstant(ZoneOffset.UTC));
            List<String> next = new ArrayList<>();
            while (next.size() < MAX_RESULTS) {
                Date n = ce.getTimeAfter(t);
                if (n == null) break;
                if (!n.after(t)) throw new IllegalStateException("non-increasing " + expr);
                t = n;
                Instant i = firstInstant(rules, LocalDateTime.ofInstant(n.toInstant(), ZoneOffset.UTC));
                if (i != null && i.isAfter(after)) next.add(format(rules, i));
            }
            add(zone, expr, after, next);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("Quartz rejects " + expr, e);
        }
    }

    static void oneTime(ZoneId zone, LocalDateTime wall, Instant after) {
        List<String> next = new ArrayList<>();
        Instant i = firstInstant(zone.getRules(), wall);
        if (i != null && i.isAfter(after)) next.add(format(zone.getRules(), i));
        add(zone, "at(" + WALL.format(wall) + ")", after, next);
    }

    static void rate(ZoneId zone, String expr, Instant after) {
        Duration step = expr.equals("rate(1 day)") ? Duration.ofDays(1) : Duration.ofHours(1);
        List<String> next = new ArrayList<>();
        Instant t = after.truncatedTo(ChronoUnit.MINUTES);
        for (int k = 0; k < MAX_RESULTS; k++) {
            t = t.plus(step);
            next.add(format(zone.getRules(), t));
        }
        add(zone, expr, after, next);
    }

    static void add(ZoneId zone, String expr, Instant after, List<String> next) {
        if (!seen.add(zone.getId() + "|" + expr + "|" + after)) return;
        StringBuilder line = new StringBuilder("    {\"zone\": ").append(json(zone.getId()))
            .append(", \"expression\": ").append(json(expr))
            .append(", \"after\": ").append(json(after.toString()))
            .append(", \"next\": [");
        for (int i = 0; i < next.size(); i++) line.append(i == 0 ? "" : ", ").append(json(next.get(i)));
        cases.add(line.append("]}").toString());
    }

    static String format(ZoneRules rules, Instant i) {
        return RFC3339.format(i.atOffset(rules.getOffset(i)));
    }

    static String dpkgVersion(String pkg) throws Exception {
        String v = run("dpkg-query", "-W", "-f=${Version}", pkg).trim();
        if (v.isEmpty()) throw new IllegalStateException("dpkg-query gave no version for " + pkg);
        return v;
    }

    static String javaVersionLine() throws Exception {
        String all = run(System.getProperty("java.home") + "/bin/java", "-version");
        return all.split("\\R", 2)[0].trim();
    }

    static String run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder sb = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) sb.append(line).append('\n');
        }
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + sb);
        return sb.toString();
    }

    static void field(StringBuilder out, String key, String value) {
        out.append("    ").append(json(key)).append(": ").append(json(value)).append(",\n");
    }

    /** Every string here is printable ASCII (checked); quotes and backslashes are escaped. */
    static String json(String s) {
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) throw new IllegalStateException("unexpected text: " + s);
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
