// Package demo connects hrsync to the demo HRIS and demo directory of
// package demotest over their JSON APIs: Source reads employees from the
// HRIS, Target keeps the directory's users in step. They are the reference
// connectors other vendors' connectors are modelled on.
package demo
