package notify

import (
	"fmt"
	"strings"
)

// text renders a message in Latvian for a person. Params come from the
// event; name is the person's given name. Dates in params ("starts",
// "closes") stand in sentences, so they are in the locative, as lv.DateIn
// writes them: "Kurss sākas 2026. gada 2. martā."
//
// The person's gender is not known, so no text agrees a participle or an
// adjective with them, as "Jūs esat uzņemts" would: the sentences are about
// the application, the seat or the certificate instead ("Jūsu pieteikšanās
// ir apstiprināta", "Jums ir piešķirta vieta").
func text(template, name, publicURL string, p map[string]string) (subject, body string, ok bool) {
	hello := "Labdien, " + name + "!\n\n"
	bye := "\n\nAr cieņu,\nsociālā darba speciālistu mācību programmas komanda\n" + publicURL + "\n"
	switch template {
	case "enrolled":
		return "Jūsu pieteikšanās kursam „" + p["course"] + "” ir apstiprināta", hello +
			fmt.Sprintf("Jūsu pieteikšanās e-mācību kursam „%s” (%s) ir apstiprināta. Kurss sākas %s.", p["course"], p["cohort"], p["starts"]) + bye, true
	case "waitlisted":
		return "Jūs esat rindā uz kursu „" + p["course"] + "”", hello +
			fmt.Sprintf("Visas vietas kursā „%s” (%s) ir aizņemtas. Jūs esat gaidīšanas sarakstā, %s. vietā. Ja vieta atbrīvosies, jūs uzņemsim automātiski un paziņosim.", p["course"], p["cohort"], p["position"]) + bye, true
	case "promoted":
		return "Vieta kursā „" + p["course"] + "” ir jūsu", hello +
			fmt.Sprintf("E-mācību kursā „%s” (%s) atbrīvojās vieta, un tā ir piešķirta jums. Kurss sākas %s.", p["course"], p["cohort"], p["starts"]) + bye, true
	case "certificate_issued":
		return "Jūsu apliecinājums ir gatavs", hello +
			fmt.Sprintf("Apsveicam! Par „%s” apguvi jums izsniegts apliecinājums (kods %s). To var lejupielādēt platformā; darba devējs derīgumu var pārbaudīt šeit: %s", p["title"], p["code"], p["verify_url"]) + bye, true
	case "programme_accepted":
		return "Jums ir piešķirta vieta klātienes mācībās", hello +
			fmt.Sprintf("Jums ir piešķirta vieta mācību programmā „%s” (%s, %s). Mācības sākas %s.", p["programme"], p["location"], p["region"], p["starts"]) + bye, true
	case "programme_waitlisted":
		return "Jūs esat rindā uz klātienes mācībām", hello +
			fmt.Sprintf("Visas vietas mācību programmā „%s” ir aizņemtas. Jūs esat gaidīšanas sarakstā, %s. vietā.", p["programme"], p["position"]) + bye, true
	case "cohort_open":
		return "Atvērta pieteikšanās: „" + p["course"] + "”", hello +
			fmt.Sprintf("Ir atvērta pieteikšanās e-mācību kursam „%s” (%s). Pieteikšanās noslēgsies %s; kurss sākas %s. Vietu skaits ir ierobežots.", p["course"], p["cohort"], p["closes"], p["starts"]) +
			"\n\nŠo vēstuli saņemat, jo jūsu profilā ir ieslēgti paziņojumi par jaunām kursu grupām. Ja tos vairs nevēlaties, atslēdziet tos profilā: " +
			publicURL + "/me" + bye, true
	case "cohort_open_interest":
		return "Kurss, par kuru interesējāties, ir atvērts", hello +
			fmt.Sprintf("Jūs lūdzāt paziņot, kad sāksies kurss „%s”. Pieteikšanās jaunajai grupai (%s) ir atvērta un noslēgsies %s; kurss sākas %s.", p["course"], p["cohort"], p["closes"], p["starts"]) +
			"\n\nŠis ir vienreizējs paziņojums: par nākamajām šī kursa grupām jums vairs neziņosim, ja vien to atkal nepalūgsiet kursa lapā." + bye, true
	case "survey_invitation":
		return "Jūsu atsauksme par „" + p["title"] + "”", hello +
			fmt.Sprintf("Paldies, ka pabeidzāt „%s”! Lūdzam atbildēt uz dažiem jautājumiem par mācībām: tas aizņems pāris minūšu, un jūsu atsauksme palīdzēs mācības uzlabot. Aptauja ir anonīma (atbildes netiek saistītas ar jūsu vārdu), un atbildēt var vienu reizi:\n\n%s", p["title"], p["link"]) + bye, true
	case "verify_email":
		return "Apstipriniet savu e-pasta adresi", hello +
			"Paldies par reģistrāciju sociālā darba speciālistu mācību platformā! Lai apstiprinātu, ka šī e-pasta adrese ir jūsu, atveriet šo saiti:\n\n" +
			p["link"] + "\n\nSaite ir derīga 7 dienas. Ja šo kontu neizveidojāt jūs, šo vēstuli varat neņemt vērā." + bye, true
	case "password_reset":
		return "Paroles atjaunošana", hello +
			"Saņēmām pieprasījumu atjaunot jūsu konta paroli. Jaunu paroli var iestatīt, atverot šo saiti:\n\n" +
			p["link"] + "\n\nSaite ir derīga vienu stundu, un to var izmantot vienu reizi. Pēc paroles maiņas visās ierīcēs būs jāpiesakās no jauna. " +
			"Ja paroles maiņu nepieprasījāt, šo vēstuli varat neņemt vērā: parole paliks līdzšinējā." + bye, true
	}
	return "", "", false
}

// oneLine keeps header values on one line.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
