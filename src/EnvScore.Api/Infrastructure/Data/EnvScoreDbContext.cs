using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Infrastructure.Data;

public class EnvScoreDbContext(DbContextOptions<EnvScoreDbContext> options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    /// <summary>Shared so that tokens and cookies survive restarts and work across instances.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<District> Districts => Set<District>();
    public DbSet<Township> Townships => Set<Township>();
    public DbSet<Village> Villages => Set<Village>();
    public DbSet<RuleSetRecord> RuleSets => Set<RuleSetRecord>();
    public DbSet<MonthCalendar> Calendars => Set<MonthCalendar>();
    public DbSet<Evaluation> Evaluations => Set<Evaluation>();
    public DbSet<EvaluationEntry> EvaluationEntries => Set<EvaluationEntry>();
    public DbSet<EvidenceFile> EvidenceFiles => Set<EvidenceFile>();
    public DbSet<EvidenceContent> EvidenceContents => Set<EvidenceContent>();
    public DbSet<MissingSubmission> MissingSubmissions => Set<MissingSubmission>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<ComputationRun> ComputationRuns => Set<ComputationRun>();
    public DbSet<VillageResult> VillageResults => Set<VillageResult>();
    public DbSet<TownshipResult> TownshipResults => Set<TownshipResult>();
    public DbSet<Publication> Publications => Set<Publication>();
    public DbSet<PublicationRevision> PublicationRevisions => Set<PublicationRevision>();
    public DbSet<PublishedVillageResult> PublishedVillageResults => Set<PublishedVillageResult>();
    public DbSet<PublishedTownshipResult> PublishedTownshipResults => Set<PublishedTownshipResult>();
    public DbSet<SheetCorrection> SheetCorrections => Set<SheetCorrection>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(EnvScoreDbContext).Assembly);
    }
}
