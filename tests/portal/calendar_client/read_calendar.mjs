// Reads an iCalendar feed on standard input as ical.js (the parser inside Thunderbird and many
// web calendars) reads it, and prints each event's UID and start as JSON: a timed start in UTC
// (converted with the feed's own VTIMEZONE, the only zone ical.js knows here), a date as it is.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  if (start.isDate) {
    return { uid: event.uid, date: start.toString() };
  }
  return {
    uid: event.uid,
    zone: start.zone ? start.zone.tzid : null,
    local: start.toString(),
    utc: start.convertToZone(ICAL.Timezone.utcTimezone).toString(),
  };
});
process.stdout.write(JSON.stringify(events));
