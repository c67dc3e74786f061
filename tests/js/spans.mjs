// Expand an iCalendar file with ical.js into [uid, start, end] triples (differential test).
// Usage: node spans.mjs FILE.ics FROM TO CAP   (FROM/TO: ISO instants; CAP: per UID)
// start/end are "YYYY-MM-DDTHH:MM:SSZ" (UTC) for timed and "YYYY-MM-DD" for all-day ones;
// each UID gives at most its first CAP occurrences starting in [FROM, TO).
import fs from "node:fs";
import ICAL from "ical.js";

const [file, from, to, capText] = process.argv.slice(2);
const low = Date.parse(from) / 1000;
const high = Date.parse(to) / 1000;
const cap = Number(capText);
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function key(time) {
  if (time.isDate) return time.toString();
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}
function seconds(time) {
  if (time.isDate) return Date.UTC(time.year, time.month - 1, time.day) / 1000 - 3600;
  return time.toUnixTime();
}

const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  if (vevent.hasProperty("recurrence-id")) exceptions.push(vevent);
  else masters.set(vevent.getFirstPropertyValue("uid"),
                   new ICAL.Event(vevent, { exceptions: [], strictExceptions: true }));
}
for (const exception of exceptions) {
  const master = masters.get(exception.getFirstPropertyValue("uid"));
  if (master) master.relateException(exception);
}

const out = [];
for (const [uid, event] of masters) {
  const found = [];
  if (!event.isRecurring()) {
    found.push([seconds(event.startDate), key(event.startDate), key(event.endDate)]);
  } else {
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (seconds(next) > high + 400 * 86400) break;
      const d = event.getOccurrenceDetails(next);
      found.push([seconds(d.startDate), key(d.startDate), key(d.endDate)]);
      if (found.filter((f) => f[0] >= low && f[0] < high).length >= cap + 20) break;
    }
  }
  const inside = found.filter((f) => f[0] >= low - 86400 && f[0] < high + 86400);
  inside.sort((a, b) => a[0] - b[0]);
  for (const f of inside) out.push([uid, f[1], f[2]]);
}
process.stdout.write(JSON.stringify(out));
