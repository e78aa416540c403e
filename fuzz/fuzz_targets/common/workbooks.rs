//! Workbooks built around fuzzed parts, so that the fuzzer's changes reach the
//! spreadsheet reader's markup and records rather than stopping at a ZIP checksum or
//! a compound file's sector chain. A target takes an input that starts like a
//! workbook file (`PK`, or the OLE signature) as it is, and builds one from any other
//! input with the functions here.

use std::io::Write;

/// Splits `data` at each 0xFF byte (never in UTF-8 markup): the parts of a workbook.
pub fn parts(data: &[u8]) -> Vec<&[u8]> {
    data.split(|b| *b == 0xFF).collect()
}

/// A ZIP of `parts`, stored (not compressed): the names and bodies given.
pub fn zip_stored(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        if zip.start_file(*name, options).is_err() || zip.write_all(body).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// An .xlsx whose parts, split at 0xFF, are: the sheet, the shared strings, the
/// styles, the workbook (a missing one left out, or for the workbook a default
/// naming one sheet "Report").
pub fn xlsx(data: &[u8]) -> Vec<u8> {
    let given = parts(data);
    let content_types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
        <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
        <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
        <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>";
    let rels = format!(
        "<Relationships xmlns=\"{PKG_REL}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );
    let workbook_rels = format!(
        "<Relationships xmlns=\"{PKG_REL}\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>"
    );
    let workbook = format!(
        "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"Report\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    );
    let mut zip: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        (
            "xl/workbook.xml",
            given.get(3).copied().unwrap_or(workbook.as_bytes()),
        ),
    ];
    for (i, name) in [
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(body) = given.get(i) {
            zip.push((name, body));
        }
    }
    zip_stored(&zip)
}

/// An .ods whose `content.xml` is `data` (up to a 0xFF; after it, `styles.xml`).
pub fn ods(data: &[u8]) -> Vec<u8> {
    let given = parts(data);
    let manifest = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let mut zip: Vec<(&str, &[u8])> = vec![
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", given.first().copied().unwrap_or_default()),
    ];
    if let Some(styles) = given.get(1) {
        zip.push(("styles.xml", styles));
    }
    zip_stored(&zip)
}

/// A BIFF8 record.
fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
    r.extend(data);
    r
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = 0x0600u16.to_le_bytes().to_vec();
    d.extend(kind.to_le_bytes());
    d.extend([0u8; 12]);
    biff(0x0809, &d)
}

/// An .xls whose workbook stream is: the globals' BOF, the records before the
/// first 0xFF 0xFF (shared strings, formats, styles…; none if there is no 0xFF
/// 0xFF), a sheet "Report" pointing at the sheet, the globals' EOF; the sheet's BOF,
/// the records after the 0xFF 0xFF (or the whole input), the sheet's EOF. All in a
/// compound file of 512-byte sectors.
pub fn xls(data: &[u8]) -> Vec<u8> {
    let split = data.windows(2).position(|w| w == [0xFF, 0xFF]);
    let (globals, sheet) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (&data[..0], data),
    };
    let name = b"Report";
    let mut stream = bof(0x0005);
    stream.extend(globals);
    let bound_at = stream.len();
    let sheet_at = bound_at + 4 + 8 + name.len() + 4;
    let mut bound = (sheet_at as u32).to_le_bytes().to_vec();
    bound.extend([0, 0, name.len() as u8, 0]);
    bound.extend(name);
    stream.extend(biff(0x0085, &bound));
    stream.extend(biff(0x000A, &[]));
    stream.extend(bof(0x0010));
    stream.extend(sheet);
    stream.extend(biff(0x000A, &[]));
    compound_file(&stream)
}

/// An OLE compound file of 512-byte sectors holding one stream, "Workbook" (padded
/// to at least 4,096 bytes, so in the main sectors): the FAT first, then the
/// directory, then the stream.
pub fn compound_file(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let mut stream = stream.to_vec();
    stream.resize(stream.len().max(4096).next_multiple_of(512), 0);
    let stream_sectors = stream.len() / 512;
    let fat_sectors = (stream_sectors + 1).div_ceil(127);
    if fat_sectors > 109 {
        return Vec::new(); // far beyond any input libFuzzer makes here
    }
    let dir_at = fat_sectors;
    let stream_at = dir_at + 1;
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put16 = |b: &mut [u8], at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x3E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, fat_sectors as u32);
    put32(&mut header, 48, dir_at as u32);
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, END);
    put32(&mut header, 68, END);
    for i in 0..109 {
        let v = if i < fat_sectors { i as u32 } else { FREE };
        put32(&mut header, 76 + 4 * i, v);
    }
    let mut table = vec![FREE; fat_sectors * 128];
    for t in table.iter_mut().take(fat_sectors) {
        *t = 0xFFFF_FFFD;
    }
    table[dir_at] = END;
    for s in 0..stream_sectors {
        table[stream_at + s] = if s + 1 == stream_sectors {
            END
        } else {
            (stream_at + s + 1) as u32
        };
    }
    let fat_bytes: Vec<u8> = table.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut dir = vec![0u8; 512];
    for (i, (name, start, len)) in [
        ("Root Entry", END, 0u32),
        ("Workbook", stream_at as u32, stream.len() as u32),
    ]
    .into_iter()
    .enumerate()
    {
        let at = i * 128;
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        dir[at..at + utf16.len()].copy_from_slice(&utf16);
        put16(&mut dir, at + 64, (utf16.len() + 2) as u16);
        dir[at + 66] = if i == 0 { 5 } else { 2 };
        put32(&mut dir, at + 68, FREE);
        put32(&mut dir, at + 72, FREE);
        put32(&mut dir, at + 76, if i == 0 { 1 } else { FREE });
        put32(&mut dir, at + 116, start);
        put32(&mut dir, at + 120, len);
    }
    [header, fat_bytes, dir, stream].concat()
}
