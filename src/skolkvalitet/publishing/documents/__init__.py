"""Documents for the board and the public — the organiser's kvalitetsredovisning and a unit's
kvalitetsrapport — as one pure model (model.py) that two renderers write: PDF through
WeasyPrint (pdf.py) and Word through python-docx (docx.py). Charts are the pages' Vega-Lite
specs, drawn server-side by vl-convert (publishing/charts/render.py). Before anything is
written, the publication check (check.py) refuses a document with a figure that breaks the
publication rules or with pupil-level data. What a document holds is built from the database
elsewhere (quality/documents/)."""
