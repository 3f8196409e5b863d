package cohorts

import (
	"fmt"

	"mooc/internal/validation"
)

// Standing is what the certificate of an enrolment depends on.
type Standing struct {
	Status           string // of the enrolment
	LessonsCompleted int
	LessonsTotal     int
	FinalPassed      bool
}

// Missing is the rule for an online course's certificate: it lists what
// keeps the enrolment from it, nothing when it is earned. A certificate
// needs a seat held (not waitlisted, not withdrawn), every lesson of the
// course completed and the final test passed. The enrolment view, issuing
// and the bulk job all ask this function; the completions report states
// the same rule in SQL, and a test holds the two together.
func Missing(st Standing) []validation.FieldError {
	var gaps []validation.FieldError
	if st.Status != Enrolled {
		gaps = append(gaps, validation.Field("enrolment", "the enrolment is "+st.Status))
	}
	if st.LessonsCompleted < st.LessonsTotal {
		gaps = append(gaps, validation.Field("lessons", fmt.Sprintf("%d of %d lessons are not completed", st.LessonsTotal-st.LessonsCompleted, st.LessonsTotal)))
	}
	if !st.FinalPassed {
		gaps = append(gaps, validation.Field("final_test", "the final test is not passed"))
	}
	return gaps
}
