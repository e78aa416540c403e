#!/usr/bin/env python3
"""Writes the seeds of the report readers' fuzz targets (corpus/report_*/seed-*).

Small synthetic reports only: invented names, NHS numbers from the 999 test range.
Needs openpyxl, odfpy, xlwt and olefile (pip install openpyxl odfpy xlwt olefile).
Run from fuzz/: python3 make_seeds.py
"""
import datetime as dt
import io
import os
import struct
import zipfile

import olefile
import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P


def nhs(first_nine):
    """A valid NHS number (Modulus 11) from nine digits, or None."""
    digits = [int(c) for c in str(first_nine)]
    check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
    if check == 11:
        check = 0
    return None if check == 10 else f"{first_nine}{check}"


NUMBERS = [n for n in (nhs(999000000 + i) for i in range(40)) if n][:6]
HEADER = ["Appointment Date", "Start Time", "Slot Type", "Session Holder", "Status",
          "NHS Number", "Surname", "Forename", "Booked Date"]
PEOPLE = [("Testpatient", "Siân"), ("Example", "Tomos"), ("Sample", "Aoife"),
          ("Dummy", "Kwame"), ("Fictional", "Zofia")]
ROWS = [
    [dt.date(2026, 12, 4 + i % 3), dt.time(9 + i, 10 * i % 60), ["Routine", "Nurse 20 min", "Telephone"][i % 3],
     ["Dr A Shah", "KHAN, Asha (Dr)", "Pharmacist B Okafor"][i % 3], ["Booked", "Arrived", "Cancelled"][i % 3],
     NUMBERS[i], PEOPLE[i][0], PEOPLE[i][1], dt.datetime(2026, 12, 1 + i, 14, 5)]
    for i in range(5)
]
TITLE = ["Appointments report", "Run by: Dr A Shah"]
FOOTER = ["Patient count", 5]


def text(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d-%b-%Y")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return str(v)


def write(target, name, data):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    with open(f"corpus/{target}/seed-{name}", "wb") as f:
        f.write(data)


def csv_line(cells, sep=","):
    out = []
    for c in cells:
        c = text(c)
        out.append('"' + c.replace('"', '""') + '"' if any(x in c for x in (sep, '"', "\n")) else c)
    return sep.join(out)


# ---- text ----
lines = TITLE + [""] + [csv_line(HEADER)] + [csv_line(r) for r in ROWS] + ["", csv_line(FOOTER)]
write("report_text", "emis-appointments.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
medication = ["Surname;Forename;NHS Number;Drug;Dosage;Quantity;Issue Date;Prescriber;Issue Type"]
for i, (s, f) in enumerate(PEOPLE[:3]):
    medication.append(f"{s};{f};{NUMBERS[i]};Amlodipine {5 * (i + 1)} mg tablets;One daily;28;0{4 + i}/12/2026;Dr A Shah;Repeat")
    if i == 1:
        medication.append(medication[0])  # the header again after a page break
medication.append("Page 1 of 1")
write("report_text", "systmone-1252.csv", ("\r\n".join(medication) + "\r\n").encode("cp1252"))
tabbed = [csv_line(HEADER, "\t")] + [csv_line(r, "\t") for r in ROWS[:3]]
write("report_text", "utf16.txt", ("\r\n".join(tabbed) + "\r\n").encode("utf-16"))
write("report_text", "pipe-quoted.txt",
      b'NHS Number|Surname|Notes\n999 000 0018|"Example, Tomos"|"asked ""again""\nabout results"\n="9990000026"|Sample|\n')

# ---- xlsx ----
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Appointments"
for t in TITLE:
    ws.append([t])
ws.append([])
ws.append(HEADER)
for r in ROWS:
    ws.append(r)
ws.append(FOOTER)
buf = io.BytesIO()
wb.save(buf)
xlsx = buf.getvalue()
write("report_xlsx", "appointments.xlsx", xlsx)
with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
    # openpyxl writes its text inline: the shared strings part is left empty.
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
    parts = [z.read("xl/worksheets/sheet1.xml"), sst, z.read("xl/styles.xml")]
write("report_xlsx", "parts", b"\xff".join(parts))
# Inline strings, a formula with its value, an error cell, a date-format style.
write("report_xlsx", "inline-parts", b"".join([
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="B2:D4"/><sheetData>',
    b'<row r="2"><c r="B2" t="inlineStr"><is><t>NHS Number</t></is></c><c r="C2" t="inlineStr"><is><t>Surname</t></is></c>',
    b'<c r="D2" t="inlineStr"><is><t>Issue Date</t></is></c></row>',
    b'<row r="3"><c r="B3"><v>9990000018</v></c><c r="C3" t="s"><v>0</v></c><c r="D3" s="1"><v>46360.5</v></c></row>',
    b'<row r="4"><c r="B4" t="e"><v>#N/A</v></c><c r="C4" t="str"><f>UPPER("x")</f><v>X</v></c><c r="D4" s="1"><v>46361</v></c></row>',
    b'</sheetData></worksheet>\xff',
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><r><t>Exam</t></r><r><t xml:space="preserve">ple </t></r></si></sst>\xff',
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts>',
    b'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
]))

# ---- ods ----
doc = OpenDocumentSpreadsheet()
table = Table(name="Appointments")
def ods_row(cells):
    tr = TableRow()
    for v in cells:
        if isinstance(v, dt.datetime):
            tc = TableCell(valuetype="date", datevalue=v.strftime("%Y-%m-%dT%H:%M:%S"))
        elif isinstance(v, dt.date):
            tc = TableCell(valuetype="date", datevalue=v.isoformat())
        elif isinstance(v, dt.time):
            tc = TableCell(valuetype="time", timevalue=v.strftime("PT%HH%MM%SS"))
        elif isinstance(v, (int, float)):
            tc = TableCell(valuetype="float", value=v)
        else:
            tc = TableCell(valuetype="string")
        tc.addElement(P(text=text(v)))
        tr.addElement(tc)
    return tr
for t in TITLE:
    table.addElement(ods_row([t]))
table.addElement(TableRow())
table.addElement(ods_row(HEADER))
for r in ROWS:
    table.addElement(ods_row(r))
table.addElement(ods_row(FOOTER))
doc.spreadsheet.addElement(table)
buf = io.BytesIO()
doc.write(buf)
ods = buf.getvalue()
write("report_ods", "appointments.ods", ods)
with zipfile.ZipFile(io.BytesIO(ods)) as z:
    write("report_ods", "content", z.read("content.xml"))
# Repeated rows and columns, a covered cell, spaces (text:s), a blank row repeated.
write("report_ods", "repeated-content", b"".join([
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ',
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">',
    b'<office:body><office:spreadsheet><table:table table:name="Report">',
    b'<table:table-row><table:table-cell office:value-type="string"><text:p>NHS Number</text:p></table:table-cell>',
    b'<table:table-cell office:value-type="string"><text:p>Surname</text:p></table:table-cell></table:table-row>',
    b'<table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="float" office:value="9990000018"><text:p>9990000018</text:p></table:table-cell>',
    b'<table:table-cell office:value-type="string" table:number-columns-repeated="2"><text:p>Test<text:s text:c="2"/>patient</text:p></table:table-cell></table:table-row>',
    b'<table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="5"/></table:table-row>',
    b'<table:table-row><table:covered-table-cell/><table:table-cell office:value-type="date" office:date-value="2026-12-04T09:30:00"><text:p>04/12/2026</text:p></table:table-cell></table:table-row>',
    b'</table:table></office:spreadsheet></office:body></office:document-content>',
]))

# ---- xls ----
wb = xlwt.Workbook()
ws = wb.add_sheet("Appointments")
date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
stamp_style = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
time_style = xlwt.easyxf(num_format_str="HH:MM")
r = 0
for t in TITLE:
    ws.write(r, 0, t)
    r += 1
r += 1
for c, h in enumerate(HEADER):
    ws.write(r, c, h)
r += 1
for row in ROWS:
    for c, v in enumerate(row):
        if isinstance(v, dt.datetime):
            ws.write(r, c, v, stamp_style)
        elif isinstance(v, dt.date):
            ws.write(r, c, v, date_style)
        elif isinstance(v, dt.time):
            ws.write(r, c, v, time_style)
        elif c == 5:
            ws.write(r, c, int(v))  # an NHS number stored as a number
        else:
            ws.write(r, c, v)
    r += 1
ws.write(r, 0, FOOTER[0])
ws.write(r, 1, FOOTER[1])
buf = io.BytesIO()
wb.save(buf)
xls = buf.getvalue()
write("report_xls", "appointments.xls", xls)
# The records of the workbook stream, for the target's records form: the globals
# without their BOF, BOUNDSHEET and EOF, 0xFF 0xFF, the sheet without its BOF and EOF.
stream = olefile.OleFileIO(io.BytesIO(xls)).openstream("Workbook").read()
records, at = [], 0
while at + 4 <= len(stream):
    typ, size = struct.unpack_from("<HH", stream, at)
    records.append((typ, stream[at:at + 4 + size]))
    at += 4 + size
eofs = [i for i, (t, _) in enumerate(records) if t == 0x000A]
globals_ = b"".join(r for t, r in records[1:eofs[0]] if t != 0x0085)
sheet = b"".join(r for _, r in records[eofs[0] + 2:eofs[1]])
write("report_xls", "records", globals_ + b"\xff\xff" + sheet)

for d in sorted(os.listdir("corpus")):
    if d.startswith("report_"):
        for f in sorted(os.listdir(f"corpus/{d}")):
            print(d, f, os.path.getsize(f"corpus/{d}/{f}"))
