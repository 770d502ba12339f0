#nullable enable
using System.Text;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Reads a CSV file as pandas.read_csv reads a table of strings: the first row names the columns; fields are
/// separated by commas, a quoted field may hold commas, newlines and doubled quotes.
/// </summary>
internal static class CsvTable
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new KerasNetException($"flow_from_dataframe: cannot read '{path}' ({e.Message}).", e); }
        var rows = Parse(text, path);
        if (rows.Count == 0) throw new KerasNetException($"flow_from_dataframe: '{path}' is empty (no header row).");
        var header = rows[0];
        var result = new List<Dictionary<string, string>>();
        for (int r = 1; r < rows.Count; r++)
        {
            if (rows[r].Count == 1 && rows[r][0].Length == 0) continue; // a blank line
            if (rows[r].Count != header.Count)
                throw new KerasNetException($"flow_from_dataframe: '{path}' row {r + 1} has {rows[r].Count} fields but the header has {header.Count}.");
            var row = new Dictionary<string, string>();
            for (int c = 0; c < header.Count; c++) row[header[c]] = rows[r][c];
            result.Add(row);
        }
        return result;
    }

    private static List<List<string>> Parse(string text, string path)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            any = true;
            if (quoted)
            {
                if (ch != '"') { field.Append(ch); continue; }
                if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (ch)
            {
                case '"': quoted = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n': row.Add(field.ToString()); field.Clear(); rows.Add(row); row = new List<string>(); any = false; break;
                default: field.Append(ch); break;
            }
        }
        if (quoted) throw new KerasNetException($"flow_from_dataframe: '{path}' ends inside a quoted field.");
        if (any) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }
}
