using Microsoft.AspNetCore.OData.Deltas;
using EnvScore.Domain.Organisation;

namespace EnvScore.Api.Features.Organisation;

/// <summary>Field checks shared by the township and village writes. Messages: Chinese, then English.</summary>
public static class OrganisationValidation
{
    public const int MaxNameLength = 64;

    public static DivisionCode? Code(string? text, DivisionLevel expected, IDictionary<string, string[]> errors)
    {
        if (!DivisionCode.TryParse(text, out var code, out var error))
        {
            errors["code"] = [error];
            return null;
        }
        if (code.Level != expected)
        {
            errors["code"] = [$"区划代码\"{code}\"是{LevelName(code.Level)}级代码，此处需要{LevelName(expected)}级代码 " +
                              $"(a {expected} code is expected, this is a {code.Level} code)"];
            return null;
        }
        return code;
    }

    public static string? Name(string? text, IDictionary<string, string[]> errors)
    {
        var name = text?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["名称不能为空 (name is required)"];
        else if (name.Length > MaxNameLength)
            errors["name"] = [$"名称不能超过{MaxNameLength}个字符，实际为{name.Length}个 (name too long)"];
        else
            return name;
        return null;
    }

    /// <summary>
    /// The checks every organisation PATCH shares: only the allowed properties change, and a new name is valid.
    /// Returns the changed property names and the name to keep (trimmed when changed).
    /// </summary>
    public static (IReadOnlySet<string> Changed, string? Name) Patch<T>(Delta<T> delta, IReadOnlySet<string> allowed,
        string currentName, IDictionary<string, string[]> errors) where T : class
    {
        var changed = delta.GetChangedPropertyNames().ToHashSet();
        OnlyChanges(changed, allowed, errors);
        var name = changed.Contains("Name") && delta.TryGetPropertyValue("Name", out var n) ? Name(n as string, errors) : currentName;
        return (changed, name);
    }

    /// <summary>Rejects a PATCH that touches anything but the listed properties.</summary>
    public static void OnlyChanges(IEnumerable<string> changed, IReadOnlySet<string> allowed, IDictionary<string, string[]> errors)
    {
        foreach (var property in changed.Where(p => !allowed.Contains(p)))
            errors[char.ToLowerInvariant(property[0]) + property[1..]] =
                [$"字段\"{property}\"不可修改；区划代码变更请新建单位并停用旧单位 (this field cannot be changed)"];
    }

    private static string LevelName(DivisionLevel level) => level switch
    {
        DivisionLevel.District => "区县",
        DivisionLevel.Township => "乡镇",
        _ => "村（社区）",
    };
}
