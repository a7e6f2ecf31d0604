using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Contracts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StoreId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Scope = table.Column<string>(type: "TEXT", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Fx = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Overpayment = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ReviewWindow = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    DisputeResponseWindow = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    EffectiveTermsVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    AuditCount = table.Column<int>(type: "INTEGER", nullable: false),
                    AuditHeadHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NextTimerAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    SummaryFunded = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    SummaryOpenDisputes = table.Column<int>(type: "INTEGER", nullable: false),
                    SummaryOutstanding = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    SummaryRefunded = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    SummaryReleased = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    SummaryTotal = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Client_Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Client_Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Credit_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Credit_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    CreditBtc_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    CreditBtc_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Fee_ChargedTo = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Fee_Percent = table.Column<decimal>(type: "TEXT", precision: 5, scale: 2, nullable: false),
                    Fee_FixedPerMilestone_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Fee_FixedPerMilestone_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Freelancer_Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Freelancer_Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Contracts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Allocations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PaymentId = table.Column<string>(type: "TEXT", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reversed = table.Column<bool>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Btc_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Btc_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Allocations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Allocations_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorRole = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Data = table.Column<string>(type: "TEXT", nullable: false),
                    PreviousHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => new { x.ContractId, x.Sequence });
                    table.ForeignKey(
                        name: "FK_AuditEntries_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Disputes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpenedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ResponseDeadline = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    EscalatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EscalationReason = table.Column<string>(type: "TEXT", nullable: true),
                    RulingReason = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    RuledBy = table.Column<string>(type: "TEXT", nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    FreelancerShare_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: true),
                    FreelancerShare_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disputes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Disputes_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FundingInvoices",
                columns: table => new
                {
                    InvoiceId = table.Column<string>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MilestoneIds = table.Column<string>(type: "TEXT", nullable: false),
                    CheckoutLink = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundingInvoices", x => x.InvoiceId);
                    table.ForeignKey(
                        name: "FK_FundingInvoices_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LedgerPayments",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PaymentId = table.Column<string>(type: "TEXT", nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", nullable: false),
                    Rate = table.Column<decimal>(type: "TEXT", precision: 28, scale: 12, nullable: false),
                    Method = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Credited_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Credited_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Crypto_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Crypto_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerPayments", x => new { x.ContractId, x.PaymentId });
                    table.ForeignKey(
                        name: "FK_LedgerPayments_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Milestones",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Deliverable = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    DueDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ReviewWindow = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewDeadline = table.Column<long>(type: "INTEGER", nullable: true),
                    OverdueSince = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    ClientFee_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    ClientFee_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    FeesRetained_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FeesRetained_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Funded_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Funded_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    FundedBtc_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FundedBtc_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    RefundedToClient_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    RefundedToClient_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    ReleasedToFreelancer_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    ReleasedToFreelancer_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Milestones", x => new { x.ContractId, x.Id });
                    table.ForeignKey(
                        name: "FK_Milestones_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PartyAccess",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartyAccess", x => new { x.ContractId, x.Role });
                    table.ForeignKey(
                        name: "FK_PartyAccess_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PayoutInstructions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PullPaymentId = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimLink = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimableAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    PayoutAmount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    PayoutAmount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PayoutInstructions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PayoutInstructions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProcessedEvents",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ProcessedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessedEvents", x => x.EventId);
                    table.ForeignKey(
                        name: "FK_ProcessedEvents_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TermsVersions",
                columns: table => new
                {
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Canonical = table.Column<string>(type: "TEXT", nullable: false),
                    OfferedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClientAcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FreelancerAcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TermsVersions", x => new { x.ContractId, x.Number });
                    table.ForeignKey(
                        name: "FK_TermsVersions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DisputeMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DisputeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisputeMessages_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SplitProposals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DisputeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProposedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    FreelancerAmount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FreelancerAmount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SplitProposals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SplitProposals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    Links = table.Column<string>(type: "TEXT", nullable: false),
                    FileHashes = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewEntries_Milestones_ContractId_MilestoneId",
                        columns: x => new { x.ContractId, x.MilestoneId },
                        principalTable: "Milestones",
                        principalColumns: new[] { "ContractId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Allocations_ContractId",
                table: "Allocations",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_NextTimerAt",
                table: "Contracts",
                column: "NextTimerAt");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_StoreId_UpdatedAt",
                table: "Contracts",
                columns: new[] { "StoreId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_DisputeMessages_DisputeId",
                table: "DisputeMessages",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_Disputes_ContractId",
                table: "Disputes",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_FundingInvoices_ContractId",
                table: "FundingInvoices",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_TokenHash",
                table: "PartyAccess",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_ContractId",
                table: "PayoutInstructions",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_Key",
                table: "PayoutInstructions",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_PullPaymentId",
                table: "PayoutInstructions",
                column: "PullPaymentId");

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_Queued_NextAttemptAt",
                table: "PayoutInstructions",
                column: "NextAttemptAt",
                filter: "\"Status\" = 'Queued'");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessedEvents_ContractId",
                table: "ProcessedEvents",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewEntries_ContractId_MilestoneId",
                table: "ReviewEntries",
                columns: new[] { "ContractId", "MilestoneId" });

            migrationBuilder.CreateIndex(
                name: "IX_SplitProposals_DisputeId",
                table: "SplitProposals",
                column: "DisputeId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Allocations");

            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "DisputeMessages");

            migrationBuilder.DropTable(
                name: "FundingInvoices");

            migrationBuilder.DropTable(
                name: "LedgerPayments");

            migrationBuilder.DropTable(
                name: "PartyAccess");

            migrationBuilder.DropTable(
                name: "PayoutInstructions");

            migrationBuilder.DropTable(
                name: "ProcessedEvents");

            migrationBuilder.DropTable(
                name: "ReviewEntries");

            migrationBuilder.DropTable(
                name: "SplitProposals");

            migrationBuilder.DropTable(
                name: "TermsVersions");

            migrationBuilder.DropTable(
                name: "Milestones");

            migrationBuilder.DropTable(
                name: "Disputes");

            migrationBuilder.DropTable(
                name: "Contracts");
        }
    }
}
