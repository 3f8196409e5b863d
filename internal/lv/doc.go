// Package lv is how the platform writes Latvian dates and hour counts: dates
// on the calendar of Latvia, in the case the sentence needs, and hours that
// agree with their number. It is the one place for them, so that one instant
// is the same day in an e-mail, on a certificate and on its verification
// page. It also holds the alphabetical order of people's names (NameOrder),
// which every list sorted by name uses.
//
// Dates are converted to Riga time before they are written: a cohort that
// starts at 00:00 on 2 March in Riga starts at 22:00 on 1 March in UTC, and
// it is "2. marts" on its certificate and "2. martā" in its e-mail, never the
// 1st. Riga is Europe/Riga (UTC+2 in winter, UTC+3 in summer). The package
// imports time/tzdata, so the zone is found even on a host or image without
// a zone database: time.LoadLocation reads the host's database when there is
// one and the copy compiled into the binary when there is not.
//
// Two forms of a date are used, and the caller picks by grammar:
//
//   - Date, the nominative, for a date standing on its own, as on a
//     document: "Izsniegts: 2026. gada 2. marts".
//   - DateIn, the locative, for when something happens, inside a sentence:
//     "Kurss sākas 2026. gada 2. martā."
//
// Neither form fits after a preposition such as "līdz", which wants the
// dative ("līdz 2. martam"); texts are worded so that they do not need it
// ("Pieteikšanās noslēgsies 2026. gada 1. martā").
//
// Hours and AcademicHours agree the noun with the number: Latvian uses the
// singular after a number ending in 1 except one ending in 11 ("1 stunda",
// "21 stunda", "11 stundas", "12 stundas").
package lv
