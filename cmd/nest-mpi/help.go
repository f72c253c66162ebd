package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/kernel/netfile"
	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// newDocKernel returns a single-process kernel for listing and documenting models.
func newDocKernel() (*kernel.Kernel, error) {
	return kernel.New(kernel.Options{Log: io.Discard, Out: io.Discard})
}

// cmdModels lists every model, one per line (with --long, its element type too).
func cmdModels(args []string, out io.Writer) error {
	var long bool
	fs := pflag.NewFlagSet("models", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVarP(&long, "long", "l", false, "show each model's element type")
	if err := fs.Parse(args); err != nil {
		return &usageError{"models: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{"models takes no arguments"}
	}
	k, err := newDocKernel()
	if err != nil {
		return err
	}
	defer k.Close()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, name := range k.Models() {
		if !long {
			fmt.Fprintln(tw, name)
			continue
		}
		et := ""
		if d, err := k.GetDefaults(name, "element_type"); err == nil {
			et, _ = d["element_type"].(string)
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, et)
	}
	return tw.Flush()
}

// archivingDocs documents the parameters and state every neuron has for STDP (NEST's
// ArchivingNode), which the kernel keeps beside the model's own.
var archivingDocs = []models.ParamDoc{
	{Name: "tau_minus", Unit: "ms", Default: 20.0, Doc: "Time constant of the postsynaptic STDP trace"},
	{Name: "tau_minus_triplet", Unit: "ms", Default: 110.0, Doc: "Time constant of the triplet STDP trace"},
	{Name: "t_spike", Unit: "ms", Default: -1.0, Doc: "Time of the last spike", ReadOnly: true},
	{Name: "post_trace", Default: 0.0, Doc: "Last postsynaptic trace value an STDP synapse read", ReadOnly: true},
}

// modelDoc is what help shows about one model.
type modelDoc struct {
	name, kind, doc string
	params          []models.ParamDoc
	recordables     []string
}

// findModel documents a neuron, device or synapse model by name (old names are accepted).
func findModel(name string) (*modelDoc, error) {
	note := ""
	if cur, ok := models.OldNames[name]; ok {
		note = fmt.Sprintf("%s is the old name of %s. ", name, cur)
		name = cur
	}
	k, err := newDocKernel()
	if err != nil {
		return nil, err
	}
	defer k.Close()
	kind := ""
	if d, err := k.GetDefaults(name, "element_type"); err == nil {
		kind, _ = d["element_type"].(string)
	}
	if m, ok := k.NeuronModel(name); ok {
		params := append(m.Params(), archivingDocs...)
		return &modelDoc{name: name, kind: "neuron", doc: note + m.Doc(), params: params, recordables: m.Recordables()}, nil
	}
	_, devices := models.Builtin()
	for _, d := range devices {
		if d.Name() == name {
			if kind == "" {
				kind = "device"
			}
			return &modelDoc{name: name, kind: kind, doc: note + d.Doc(), params: d.Params()}, nil
		}
	}
	for _, s := range models.BuiltinSynapses() {
		if s.Name() == name {
			return &modelDoc{name: name, kind: "synapse", doc: note + s.Doc(), params: s.Params()}, nil
		}
	}
	return nil, status.Errorf(status.UnknownModelName, "%q is not a known model name (see 'nest-mpi models')", name)
}

// cmdHelp prints a model's documentation, parameters and recordables.
func cmdHelp(name string, out io.Writer) error {
	m, err := findModel(name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s (%s)\n\n", m.name, m.kind)
	for _, line := range wrap(m.doc, 78) {
		fmt.Fprintln(out, line)
	}
	params := append([]models.ParamDoc(nil), m.params...)
	sort.SliceStable(params, func(a, b int) bool { return strings.ToLower(params[a].Name) < strings.ToLower(params[b].Name) })
	if len(params) > 0 {
		fmt.Fprintln(out, "\nParameters:")
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  name\tdefault\tunit\tdescription")
		for _, p := range params {
			doc := p.Doc
			if p.ReadOnly {
				doc += " (read-only)"
			}
			unit := p.Unit
			if unit == "" {
				unit = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, defaultString(p.Default), unit, doc)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(m.recordables) > 0 {
		fmt.Fprintf(out, "\nRecordables: %s\n", strings.Join(m.recordables, ", "))
	}
	return nil
}

func defaultString(v any) string {
	s := netfile.FormatValue(v)
	switch {
	case s == "":
		return "-"
	case len(s) > 30:
		return s[:27] + "..."
	}
	return s
}

// wrap breaks text into lines of at most width characters.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
