namespace EnvScore.Api.Infrastructure.Faults;

/// <summary>
/// Named points inside the writes that must be all-or-nothing (just before a transaction commits), where the crash tests
/// (tests/EnvScore.Faults.Tests) kill the process with SIGKILL. Inert unless the environment variable
/// <c>ENVSCORE_FAULT_POINT</c> names the point, or <c>ENVSCORE_FAULT_POINT_FILE</c> names a file whose content (read at
/// each point) names it — so a test arms a point after preparing its data through the same process. When the armed point
/// is reached the process prints <c>ENVSCORE-FAULT-POINT-REACHED {name}</c> on standard output and blocks that request
/// forever, so the test kills it at exactly this place — no sleeps racing the clock. Never set in production
/// (./envscore run never sets them).
/// </summary>
public static class FaultPoint
{
    /// <summary>The spreadsheet import, all rows and audit written, before the commit.</summary>
    public const string ImportBeforeCommit = "import-before-commit";
    /// <summary>A sheet save (create, replace, patch, submit, return), row and audit written, before the commit.</summary>
    public const string SheetSaveBeforeCommit = "sheet-save-before-commit";
    /// <summary>A computation batch: run records "Running", results replaced, before the commit.</summary>
    public const string ComputeBeforeCommit = "compute-before-commit";
    /// <summary>A publication: revision and frozen rows written, before the commit.</summary>
    public const string PublishBeforeCommit = "publish-before-commit";
    /// <summary>A photo upload: photo, bytes and audit inserted by its one SaveChanges, at that transaction's commit.</summary>
    public const string EvidenceAtCommit = "evidence-at-commit";

    public const string Marker = "ENVSCORE-FAULT-POINT-REACHED";

    private static readonly AsyncLocal<string?> AtNextCommit = new();

    /// <summary>True when a fault point is armed in this process (the commit interceptor is then registered).</summary>
    public static bool Enabled => Fixed is not null || File is not null;

    private static readonly string? Fixed = Environment.GetEnvironmentVariable("ENVSCORE_FAULT_POINT") is { Length: > 0 } v ? v : null;
    private static readonly string? File = Environment.GetEnvironmentVariable("ENVSCORE_FAULT_POINT_FILE") is { Length: > 0 } f ? f : null;

    private static string? Armed => Fixed ?? (File is not null && System.IO.File.Exists(File) ? System.IO.File.ReadAllText(File).Trim() : null);

    /// <summary>Does nothing unless this point is armed; then announces it and never returns.</summary>
    public static void Reach(string name)
    {
        if (!Enabled || !string.Equals(Armed, name, StringComparison.Ordinal)) return;
        Console.Out.WriteLine($"{Marker} {name}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>
    /// For a write that commits inside EF's own SaveChanges transaction: the point is reached when the next transaction
    /// of this asynchronous flow commits (after its statements ran), through <see cref="FaultCommitInterceptor"/>.
    /// </summary>
    public static void ReachAtCommit(string name)
    {
        if (Enabled && string.Equals(Armed, name, StringComparison.Ordinal)) AtNextCommit.Value = name;
    }

    internal static void Committing()
    {
        if (AtNextCommit.Value is { } name) Reach(name);
    }
}

/// <summary>Reaches a point armed by <see cref="FaultPoint.ReachAtCommit"/> when the transaction is about to commit.</summary>
public sealed class FaultCommitInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbTransactionInterceptor
{
    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult TransactionCommitting(System.Data.Common.DbTransaction transaction,
        Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result)
    {
        FaultPoint.Committing();
        return result;
    }

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction,
        Microsoft.EntityFrameworkCore.Diagnostics.TransactionEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        FaultPoint.Committing();
        return ValueTask.FromResult(result);
    }
}
