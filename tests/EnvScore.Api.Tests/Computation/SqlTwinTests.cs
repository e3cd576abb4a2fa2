using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Computation;

/// <summary>
/// Hand-written SQL agrees with the C# it restates: every enum literal is the name EF stores (so a rename fails here,
/// not in production), and the counted-sheet predicate (SQL and LINQ) selects exactly the sheets <see cref="SheetCounting.Counts"/> does.
/// </summary>
public class SqlTwinTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    [Fact]
    public async Task Every_stored_enum_name_is_the_one_hand_written_SQL_uses()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnvScoreDbContext>();
        var checkedProperties = 0;
        foreach (var entity in db.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
            {
                var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
                if (!type.IsEnum) continue;
                var converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
                Assert.True(converter is not null, $"{entity.DisplayName()}.{property.Name} has no converter");
                foreach (var value in Enum.GetValues(type))
                {
                    var of = typeof(SqlNames).GetMethod(nameof(SqlNames.Of))!.MakeGenericMethod(type);
                    Assert.Equal(converter.ConvertToProvider(value), of.Invoke(null, [value]));
                }
                checkedProperties++;
            }
        Assert.True(checkedProperties >= 6, $"{checkedProperties} enum properties");
    }

    [Fact]
    public async Task The_counted_sheet_predicate_agrees_with_its_reference()
    {
        var statuses = Enum.GetValues<EvaluationStatus>();
        var cases = statuses.SelectMany(s => new[] { (Status: s, Submitted: (DateTimeOffset?)null), (Status: s, Submitted: factory.Clock.GetUtcNow()) }).ToArray();
        for (var i = 0; i < cases.Length; i++)
            await AddSheetAsync(factory, Village(0, i), 202611, EvaluationKind.Self, cases[i].Status, [], cases[i].Submitted);
        var sql = "SELECT e.id AS \"Value\" FROM evaluations e WHERE e.month = 202611 AND " + SheetCounting.Sql("e");   // no user input
        var inSql = await WithDbAsync(factory, db => db.Database.SqlQueryRaw<int>(sql).ToListAsync());
        var all = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Where(e => e.Month == 202611).ToListAsync());
        Assert.Equal(cases.Length, all.Count);
        Assert.Equal(all.Where(e => SheetCounting.Counts(e.Status, e.SubmittedAt)).Select(e => e.Id).Order(), inSql.Order());
        Assert.Equal(2, inSql.Count);   // Submitted and Locked, both with a submission time
        var inLinq = await WithDbAsync(factory, db => db.Evaluations.AsNoTracking().Where(e => e.Month == 202611).ThatCount().Select(e => e.Id).ToListAsync());
        Assert.Equal(inSql.Order(), inLinq.Order());
    }
}
