using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Cloudbill.Core.ProviderApi;

/// <summary>The import read from a CSV file: the rows, or every line that could not be read.</summary>
public sealed record CsvImport(ImportFile File, IReadOnlyList<ImportError> Errors);

/// <summary>
/// Reads `cloudbill import FILE.csv` (docs/webhooks.md, "Importing"): RFC 4180 by CsvHelper, a
/// header of the columns below in any order, one row per instance with the customer's columns
/// repeated (a customer with no instances: one row with the instance columns empty). Every row
/// is named by its line number; a line that cannot be read, or a customer whose repeated
/// columns differ, is an error of that line.
/// </summary>
public static class ImportCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "customer_external_id", "email", "name", "opening_balance",
        "instance_external_id", "product", "spec", "region", "instance_name", "expires_at", "renewal_method", "auto_renew_period_months", "charge_type",
    ];

    private static readonly string[] InstanceColumns = [.. Columns.Skip(4)];

    public static CsvImport Read(TextReader text)
    {
        var errors = new List<ImportError>();
        var malformed = new HashSet<int>();
        CsvParser? reading = null;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Mode = CsvMode.RFC4180,
            // A stray quote is an error of its line, never a guess.
            BadDataFound = _ => malformed.Add(reading?.RawRow ?? 0),
        };
        using var parser = new CsvParser(text, configuration);
        reading = parser;
        if (!parser.Read())
            return new CsvImport(new ImportFile([]), [new ImportError("line 1", 1, "header", $"The file is empty; its first line is the header: {string.Join(",", Columns)}.")]);

        var header = parser.Record!.Select(h => h.Trim()).ToList();
        var missing = Columns.Except(header).ToList();
        var unknown = header.Except(Columns).ToList();
        if (missing.Count > 0 || unknown.Count > 0 || header.Count != header.Distinct().Count())
        {
            return new CsvImport(new ImportFile([]), [new ImportError("line 1", 1, "header",
                $"The header must name each of {string.Join(",", Columns)} once" + (missing.Count > 0 ? $"; missing: {string.Join(",", missing)}" : "") + (unknown.Count > 0 ? $"; unknown: {string.Join(",", unknown)}" : "") + ".")]);
        }
        var at = Columns.ToDictionary(c => c, c => header.IndexOf(c));

        var customers = new List<(ImportCustomer Customer, List<ImportInstance> Instances)>();
        var byId = new Dictionary<string, int>();
        while (parser.Read())
        {
            var line = parser.RawRow;
            var record = parser.Record!;
            if (malformed.Contains(line))
            {
                errors.Add(new ImportError($"line {line}", line, "row", "The line is not valid CSV (a quote inside an unquoted field, or a quoted field not closed); quote fields with \"\" and double a quote inside one."));
                continue;
            }
            if (record.Length != header.Count)
            {
                errors.Add(new ImportError($"line {line}", line, "row", $"The line has {record.Length} fields; the header has {header.Count}."));
                continue;
            }
            string? Field(string column) => record[at[column]] is { Length: > 0 } value ? value : null;
            var customer = new ImportCustomer(Field("customer_external_id"), Field("email"), Field("name"), Field("opening_balance"), null) { Where = $"line {line}", Line = line };
            var key = customer.ExternalId?.Trim() ?? $"\0line{line}";
            if (byId.TryGetValue(key, out var index))
            {
                var first = customers[index].Customer;
                if ((first.Email, first.Name, first.OpeningBalance) != (customer.Email, customer.Name, customer.OpeningBalance))
                    errors.Add(new ImportError($"line {line}", line, "customer", $"Customer {key}'s email, name or opening balance differ from line {first.Line}; repeat them exactly on each of its rows."));
            }
            else
            {
                byId[key] = customers.Count;
                customers.Add((customer, []));
                index = customers.Count - 1;
            }
            if (InstanceColumns.All(c => Field(c) is null))
                continue;
            int? period = null;
            if (Field("auto_renew_period_months") is { } months)
            {
                if (int.TryParse(months, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                    period = parsed;
                else
                    errors.Add(new ImportError($"line {line}", line, "auto_renew_period_months", $"'{months}' is not a whole number of months."));
            }
            customers[index].Instances.Add(new ImportInstance(Field("instance_external_id"), Field("product"), Field("spec"), Field("region"), Field("instance_name"),
                Field("expires_at"), Field("renewal_method"), period, Field("charge_type"))
            { Where = $"line {line}", Line = line });
        }
        return new CsvImport(new ImportFile(customers.Select(c => c.Customer with { Instances = c.Instances }).ToList()), errors);
    }
}
