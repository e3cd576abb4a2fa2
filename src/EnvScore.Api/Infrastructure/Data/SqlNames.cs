namespace EnvScore.Api.Infrastructure.Data;

/// <summary>
/// The names enums have in the database. EF stores every enum as its C# name (<c>HasConversion&lt;string&gt;()</c>);
/// SQL written by hand takes its literals from here, so a rename changes both and never compiles into a silent
/// mismatch. <c>SqlNamesTests</c> pins these against the converters of the EF model.
/// </summary>
public static class SqlNames
{
    /// <summary>The stored name of an enum value, e.g. <c>Submitted</c>.</summary>
    public static string Of<T>(T value) where T : struct, Enum => value.ToString();

    /// <summary>The stored name as an SQL string literal, e.g. <c>'Submitted'</c>.</summary>
    public static string Literal<T>(T value) where T : struct, Enum => $"'{Of(value)}'";
}
