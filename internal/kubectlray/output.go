package kubectlray

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
)

// none is what a table shows for a value that is not there, as kubectl does.
const none = "<none>"

// output is the -o flag of a get command: a table (the default), a wide table, or, where the
// command offers it, the objects themselves as YAML, JSON, a JSONPath or a template.
type output struct {
	flags *genericclioptions.PrintFlags
	// objects says whether the command can print objects, not only a table.
	objects bool
}

// addOutputFlag adds -o to cmd.
func addOutputFlag(cmd *cobra.Command, objects bool) *output {
	o := &output{objects: objects,
		flags: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme)}
	if !objects {
		cmd.Flags().StringVarP(o.flags.OutputFormat, "output", "o", "",
			"Output format: wide for more columns")
		return o
	}
	o.flags.AddFlags(cmd)
	cmd.Flag("output").Usage = "Output format: wide for more columns, or one of " +
		fmt.Sprint(o.flags.AllowedFormats())
	return o
}

// table reports whether the output is a table.
func (o *output) table() bool {
	f := *o.flags.OutputFormat
	return f == "" || f == "wide"
}

// validate refuses an output format the command cannot print, before anything is read.
func (o *output) validate() error {
	if o.table() {
		return nil
	}
	if !o.objects {
		return fmt.Errorf("--output %q is not offered here: leave it out or use wide",
			*o.flags.OutputFormat)
	}
	_, err := o.flags.ToPrinter()
	return err
}

// print writes the table, or obj in the chosen format.
func (o *output) print(w io.Writer, table *metav1.Table, obj runtime.Object) error {
	if o.table() {
		wide := *o.flags.OutputFormat == "wide"
		return printers.NewTablePrinter(printers.PrintOptions{Wide: wide}).PrintObj(table, w)
	}
	p, err := o.flags.ToPrinter()
	if err != nil {
		return err
	}
	return p.PrintObj(obj, w)
}

// column defines a table column; wide ones show only with -o wide.
func column(name string, wide bool) metav1.TableColumnDefinition {
	c := metav1.TableColumnDefinition{Name: name, Type: "string"}
	if wide {
		c.Priority = 1
	}
	return c
}

// age is how long ago t was, as kubectl shows ages.
func age(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t.Time))
}

// quantity shows q, "0" when it is zero or unset.
func quantity(q resource.Quantity) string {
	if q.IsZero() {
		return "0"
	}
	return q.String()
}

// orNone is s, or none when s is empty.
func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}
