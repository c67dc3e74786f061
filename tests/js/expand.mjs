// Expand an iCalendar file with ical.js, an independent parser (Mozilla's, used by Thunderbird).
// Usage: node expand.mjs FILE.ics FROM TO   (FROM/TO: ISO instants, e.g. 2026-01-01T00:00:00Z)
// Prints JSON: {"occurrences": [[uid, start]...], "components": [{uid, recurrence_id, ...}]}
// where start is "YYYY-MM-DDTHH:MM:SSZ" (UTC) for timed and "YYYY-MM-DD" for all-day ones.
import fs from "node:fs";
import ICAL from "ical.js";

const [file, from, to] = process.argv.slice(2);
const low = Date.parse(from) / 1000;
const high = Date.parse(to) / 1000;
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function instant(time) {
  if (time.isDate) {
    return { key: time.toString(), seconds: Date.UTC(time.year, time.month - 1, time.day) / 1000 };
  }
  const seconds = time.toUnixTime();
  return { key: new Date(seconds * 1000).toISOString().replace(".000Z", "Z"), seconds };
}

const masters = new Map();
const exceptions = [];
const components = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const text = (name) => vevent.getFirstPropertyValue(name);
  components.push({
    uid: text("uid"),
    recurrence_id: vevent.hasProperty("recurrence-id") ? text("recurrence-id").toString() : null,
    summary: text("summary"), description: text("description"), location: text("location"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
  });
  if (vevent.hasProperty("recurrence-id")) exceptions.push(vevent);
  // Without `exceptions`, ical.js relates every RECURRENCE-ID component of the calendar to
  // each event, whatever its UID; so relate them ourselves, by UID.
  else masters.set(text("uid"), new ICAL.Event(vevent, { exceptions: [], strictExceptions: true }));
}
for (const exception of exceptions) {
  const master = masters.get(exception.getFirstPropertyValue("uid"));
  if (master) master.relateException(exception);
}

const occurrences = [];
const margin = 400 * 86400;
for (const [uid, event] of masters) {
  if (!event.isRecurring()) {
    const start = instant(event.startDate);
    if (start.seconds >= low && start.seconds < high) occurrences.push([uid, start.key]);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (instant(next).seconds > high + margin) break;
    const details = event.getOccurrenceDetails(next);
    const start = instant(details.startDate);
    if (start.seconds >= low && start.seconds < high) occurrences.push([uid, start.key]);
  }
}
occurrences.sort();
process.stdout.write(JSON.stringify({ occurrences, components }));
