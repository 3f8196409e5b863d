// Package reports owns the figures the programme reports to its funders:
// how many social workers enrolled in, completed and were certified for
// online courses and in-person programmes over a period, by course, cohort,
// programme, municipality and planning region, and how many distinct people
// completed any training. Each report is a fixed number of queries,
// whatever the number of learners.
package reports
