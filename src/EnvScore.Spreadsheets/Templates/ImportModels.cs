using EnvScore.Domain.Organisation;

namespace EnvScore.Spreadsheets.Templates;

public enum ImportProblemKind
{
    // File-level: the whole upload is refused.
    EmptyFile,
    TooLarge,
    NotXlsx,
    SuspiciousArchive,
    Unreadable,
    WrongScope,
    WrongMonth,
    WrongRuleSet,
    MissingMetadata,
    DataSheetNotFound,
    MissingColumn,
    DuplicateColumn,
    TooManyRows,
    // Row-level.
    MissingVillageCode,
    InvalidVillageCode,
    UnknownVillage,
    DuplicateVillage,
    MissingVillage,
    // Cell-level.
    MissingValue,
    InvalidValue,
    Conflict,
    /// <summary>File-level: a column the template does not offer because nobody enters it (<see cref="TemplateLayout.RefusedColumns"/>).</summary>
    RefusedColumn,
}

public enum ProblemSeverity { Error, Warning }

/// <summary>One thing wrong with an upload, located as precisely as possible, with a Chinese message.</summary>
public sealed record ImportProblem
{
    public required ImportProblemKind Kind { get; init; }
    public ProblemSeverity Severity { get; init; } = ProblemSeverity.Error;
    public required string Message { get; init; }
    public string? SheetName { get; init; }
    /// <summary>A1-style reference, e.g. "D7".</summary>
    public string? CellReference { get; init; }
    public int? RowNumber { get; init; }
    /// <summary>As found in the file (may be malformed, hence text).</summary>
    public string? VillageCode { get; init; }
    public string? VillageName { get; init; }
    public string? ItemCode { get; init; }
    public string? ItemTitle { get; init; }

    /// <summary>True when the file as a whole was refused and no rows were read.</summary>
    public bool IsFileLevel => Kind <= ImportProblemKind.TooManyRows;

    public override string ToString() => Message;
}

/// <summary>One village row as read. Items that failed to parse are absent from <see cref="Values"/>.</summary>
public sealed record ParsedVillage(int RowNumber, DivisionCode Code, string Name, string? TownshipName, VillageValues Values)
{
    public bool HasProblems { get; init; }
    /// <summary>Item code (and "note") → the A1 reference of its cell in this row (for messages about the row's values).</summary>
    public IReadOnlyDictionary<string, string> ItemCells { get; init; } = new Dictionary<string, string>();
    /// <summary>True when the row was present but every input cell was blank.</summary>
    public bool IsBlankRow { get; init; }
}

public sealed record TemplateImportOptions
{
    public const long DefaultMaxFileBytes = 10L * 1024 * 1024;

    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;
    /// <summary>Bound on the sum of the zip entries' uncompressed sizes (zip bombs).</summary>
    public long MaxUncompressedBytes { get; init; } = 100L * 1024 * 1024;
    public int MaxZipEntries { get; init; } = 1000;
    /// <summary>Largest uncompressed/compressed ratio allowed for an entry bigger than 1 MB.</summary>
    public double MaxCompressionRatio { get; init; } = 200;
    /// <summary>Report every allowed village that has no row (a township sheet must cover all its villages).</summary>
    public bool RequireAllVillages { get; init; } = true;
    /// <summary>
    /// When the hidden metadata sheet is gone (e.g. re-created by hand): false (default) reads the
    /// file by its headers and adds a warning; true refuses the file.
    /// </summary>
    public bool RequireMetadata { get; init; }
    /// <summary>
    /// Spot-checks: a village row whose input cells are all blank was not checked — it is returned with
    /// <see cref="ParsedVillage.IsBlankRow"/> and no problems, instead of being read as zeros/missing values.
    /// </summary>
    public bool BlankRowsAreNotChecked { get; init; }
}

public sealed record TemplateImportResult(IReadOnlyList<ParsedVillage> Villages, IReadOnlyList<ImportProblem> Problems)
{
    public IEnumerable<ImportProblem> Errors => Problems.Where(p => p.Severity == ProblemSeverity.Error);
    /// <summary>True when nothing is wrong (warnings allowed): the API may store the values.</summary>
    public bool Succeeded => !Errors.Any();
    public bool FileRejected => Errors.Any(p => p.IsFileLevel);
}
