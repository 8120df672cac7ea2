"""What a check is turned into: console text and the JSON document (`report`), the summary of a
batch (`summary`), the annotated copy of a workbook (`annotate`, on the package itself through
`ooxml` and `marks`), and the blank template drawn from the model (`template`)."""
