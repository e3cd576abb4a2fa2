using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Evaluations;

namespace EnvScore.Api.Tests.Audit;

/// <summary>The change summary of an audit row, computed from real snapshots (<see cref="AuditWriter.Snapshot"/>).</summary>
public class AuditChangesTests
{
    private static Evaluation Sheet(EvaluationStatus status = EvaluationStatus.Draft, params EvaluationEntry[] entries) => new Evaluation
    {
        Id = 7, VillageId = 1, TownshipId = 1, DistrictId = 1, Month = 202611, Kind = EvaluationKind.Self,
        CreatedBy = "s", UpdatedBy = "s", Entries = [.. entries],
    }.WithHistory(status);

    private static EvaluationEntry Entry(string code, int? count = null, string? level = null, bool? passed = null) =>
        new() { ItemCode = code, Count = count, Level = level, Passed = passed };

    [Fact]
    public void Items_added_changed_and_removed_are_listed_by_item_code_with_old_and_new_values()
    {
        var before = AuditWriter.Snapshot(Sheet(entries: [Entry("L01", count: 0), Entry("Q08", level: "A"), Entry("C01", passed: true)]));
        var after = AuditWriter.Snapshot(Sheet(entries: [Entry("L01", count: 3), Entry("Q08", level: "A"), Entry("L02", count: 2)]));

        var changes = AuditChanges.Between(before, after);

        Assert.Equal(3, changes.Count);
        Assert.Contains(new AuditChange(AuditChangeKind.Changed, "L01 数量", "0", "3"), changes);
        Assert.Contains(new AuditChange(AuditChangeKind.Added, "评分项L02", After: "数量 2"), changes);
        Assert.Contains(new AuditChange(AuditChangeKind.Removed, "评分项C01"), changes);
        Assert.DoesNotContain(changes, c => c.Subject.Contains("Q08")); // unchanged items are not mentioned
        var summary = AuditChanges.Summary(changes);
        Assert.Contains("L01 数量：0→3", summary);
        Assert.Contains("新增评分项L02（数量 2）", summary);
        Assert.Contains("删除评分项C01", summary);
    }

    [Fact]
    public void Items_are_named_by_title_when_the_rule_set_knows_them()
    {
        var before = AuditWriter.Snapshot(Sheet(entries: [Entry("L01", count: 0), Entry("C01", passed: true)]));
        var after = AuditWriter.Snapshot(Sheet(entries: [Entry("L01", count: 3), Entry("L02", count: 2)]));

        var changes = AuditChanges.Between(before, after, code => code switch { "L01" => "乱扔乱丢", "L02" => "乱堆乱放", _ => null });

        Assert.Contains(new AuditChange(AuditChangeKind.Changed, "乱扔乱丢（L01） 数量", "0", "3"), changes);
        Assert.Contains(new AuditChange(AuditChangeKind.Added, "评分项乱堆乱放（L02）", After: "数量 2"), changes);
        Assert.Contains(new AuditChange(AuditChangeKind.Removed, "评分项C01"), changes); // an unknown title: the code alone
    }

    [Fact]
    public void A_status_change_reads_in_chinese_and_a_pass_fail_change_as_yes_no()
    {
        var before = AuditWriter.Snapshot(Sheet(EvaluationStatus.Draft, Entry("C01", passed: true)));
        var after = AuditWriter.Snapshot(Sheet(EvaluationStatus.Submitted, Entry("C01", passed: false)));

        var changes = AuditChanges.Between(before, after);

        Assert.Equal(new[] { new AuditChange(AuditChangeKind.Changed, "状态", "草稿", "已提交"), new AuditChange(AuditChangeKind.Changed, "C01 是否合格", "是", "否") }, changes);
        Assert.Equal("状态：草稿→已提交；C01 是否合格：是→否", AuditChanges.Summary(changes));
    }

    [Fact]
    public void A_deadline_lock_with_partial_snapshots_is_only_a_status_change()
    {
        var changes = AuditChanges.Between("""{"status": "Draft"}""", """{"status": "Locked"}""");
        Assert.Equal(new[] { new AuditChange(AuditChangeKind.Changed, "状态", "草稿", "已锁定") }, changes);
    }

    [Fact]
    public void A_return_names_its_reason_a_creation_is_one_line_and_no_difference_says_so()
    {
        var submitted = Sheet(EvaluationStatus.Submitted, Entry("L01", count: 0));
        var returned = Sheet(EvaluationStatus.Returned, Entry("L01", count: 0));
        returned.WithHistory(EvaluationStatus.Returned, returnReason: "照片不清晰");
        var changes = AuditChanges.Between(AuditWriter.Snapshot(submitted), AuditWriter.Snapshot(returned));
        Assert.Contains(new AuditChange(AuditChangeKind.Changed, "退回原因", "空", "照片不清晰"), changes);
        Assert.Contains(new AuditChange(AuditChangeKind.Changed, "状态", "已提交", "已退回"), changes);

        var created = AuditChanges.Between(null, AuditWriter.Snapshot(submitted));
        Assert.Equal(new[] { new AuditChange(AuditChangeKind.Added, "评分表", After: "1项，已提交") }, created);

        Assert.Empty(AuditChanges.Between(AuditWriter.Snapshot(submitted), AuditWriter.Snapshot(submitted)));
        Assert.Equal("无变化", AuditChanges.Summary([]));
    }

    [Fact]
    public void Added_evidence_is_named_and_a_long_list_is_cut_with_a_count()
    {
        var before = Sheet();
        var after = Sheet();
        after.Evidence.Add(new EvidenceFile { Id = 3, ItemCode = "L02", FileName = "现场.jpg", ContentType = "image/jpeg", Sha256 = "x", UploadedBy = "s" });
        Assert.Equal(new[] { new AuditChange(AuditChangeKind.Added, "证据照片", After: "现场.jpg，L02") }, AuditChanges.Between(AuditWriter.Snapshot(before), AuditWriter.Snapshot(after)));

        var many = Enumerable.Range(1, 9).Select(i => new AuditChange(AuditChangeKind.Removed, $"评分项X{i}")).ToList();
        var summary = AuditChanges.Summary(many, max: 6);
        Assert.Contains("删除评分项X6", summary);
        Assert.DoesNotContain("X7", summary);
        Assert.EndsWith("……共9处", summary);
    }
}
